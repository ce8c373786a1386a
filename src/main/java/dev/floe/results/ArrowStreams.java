package dev.floe.results;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;

/** Arrow IPC stream facts the service needs without loading any data. */
public final class ArrowStreams {
  /** The end-of-stream marker: continuation token, then a zero metadata length. */
  private static final byte[] EOS = {-1, -1, -1, -1, 0, 0, 0, 0};

  private ArrowStreams() {}

  /**
   * @param rows rows over all record batches
   * @param complete the stream ends with its end-of-stream marker, exactly at the end of the file
   */
  public record Summary(long rows, boolean complete) {}

  /**
   * Reads only message headers, skipping every body, so a 1 GB result takes milliseconds. The file
   * was written by a run: its lengths are read by a {@link RowTally} that allocates no more than
   * the file holds, and a body is skipped only as far as the file's end.
   */
  public static Summary summarize(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      RowTally tally = new RowTally((int) Math.min(RowTally.MAX_METADATA, size));
      ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
      while (!tally.broken) {
        long body = tally.takeBody();
        if (body > size - channel.position()) {
          return new Summary(0, false); // a body past the file's end
        }
        channel.position(channel.position() + body);
        chunk.clear();
        int read = channel.read(chunk);
        if (read < 0) {
          break;
        }
        tally.accept(chunk.array(), 0, read);
      }
      OptionalLong rows = tally.rows();
      return new Summary(rows.orElse(0), rows.isPresent());
    }
  }

  /**
   * Counts the rows of an Arrow IPC stream from its message headers as its bytes go by, in chunks
   * of any size, skipping every body: for a result streamed to a client, whose file is never kept.
   * The stream comes from a run, so a length it gives is never trusted for more than {@link
   * #MAX_METADATA} bytes of memory; anything it cannot read leaves the count unknown. Also what
   * {@link #summarize} reads a kept file with, seeking past the bodies it would skip.
   */
  public static final class RowTally {
    /** A message's metadata is a flatbuffer header (schemas of thousands of columns fit). */
    static final int MAX_METADATA = 16 * 1024 * 1024;

    private final int maxMetadata;

    private final byte[] word = new byte[4];
    private int wordFill;
    private boolean continued;
    private byte[] metadata;
    private int metadataFill;
    private long bodyLeft;
    private long rows;
    private boolean ended;
    private boolean broken;

    public RowTally() {
      this(MAX_METADATA);
    }

    /**
     * @param maxMetadata the largest message header it reads (a longer one breaks the stream)
     */
    RowTally(int maxMetadata) {
      this.maxMetadata = maxMetadata;
    }

    /** Reads the next bytes of the stream. */
    public void accept(byte[] b, int off, int len) {
      int i = off;
      int end = off + len;
      while (i < end && !broken) {
        if (ended) {
          broken = true; // bytes after the end-of-stream marker
        } else if (bodyLeft > 0) {
          int n = (int) Math.min(bodyLeft, end - i);
          bodyLeft -= n;
          i += n;
        } else if (metadata != null) {
          int n = Math.min(metadata.length - metadataFill, end - i);
          System.arraycopy(b, i, metadata, metadataFill, n);
          metadataFill += n;
          i += n;
          if (metadataFill == metadata.length) {
            header(metadata);
            metadata = null;
          }
        } else {
          word[wordFill++] = b[i++];
          if (wordFill == word.length) {
            wordFill = 0;
            prefix(ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).getInt());
          }
        }
      }
    }

    /** What is left of the current message's body, taken as skipped: the caller skips it. */
    long takeBody() {
      long left = bodyLeft;
      bodyLeft = 0;
      return left;
    }

    /** A message's prefix: the continuation token (since Arrow 1.0), then its metadata's length. */
    private void prefix(int value) {
      if (value == -1 && !continued) {
        continued = true;
        return;
      }
      continued = false;
      if (value == 0) {
        ended = true;
      } else if (value < 0 || value > maxMetadata) {
        broken = true;
      } else {
        metadata = new byte[value];
        metadataFill = 0;
      }
    }

    private void header(byte[] bytes) {
      try {
        Message message =
            Message.getRootAsMessage(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        if (message.bodyLength() < 0) {
          broken = true;
          return;
        }
        if (message.headerType() == MessageHeader.RecordBatch) {
          long length = ((RecordBatch) message.header(new RecordBatch())).length();
          if (length < 0) {
            broken = true;
            return;
          }
          rows += length;
        }
        bodyLeft = message.bodyLength();
      } catch (RuntimeException unreadable) {
        broken = true;
      }
    }

    /** The rows of a whole stream (it ended with its end-of-stream marker), else unknown. */
    public OptionalLong rows() {
      return ended && !broken ? OptionalLong.of(rows) : OptionalLong.empty();
    }
  }

  /**
   * An output that passes a stream on but keeps its last 8 bytes back, so the end-of-stream marker
   * reaches the client only when {@link #finish()} confirms the producer succeeded. A stream cut
   * short is never mistaken for a whole one.
   */
  public static final class HoldBack extends OutputStream {
    private final OutputStream out;
    private final byte[] held = new byte[EOS.length];
    private int heldLength;

    public HoldBack(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len >= held.length) {
        out.write(held, 0, heldLength);
        out.write(b, off, len - held.length);
        System.arraycopy(b, off + len - held.length, held, 0, held.length);
        heldLength = held.length;
        return;
      }
      int total = heldLength + len;
      int release = Math.max(0, total - held.length);
      out.write(held, 0, release);
      byte[] kept = new byte[total - release];
      System.arraycopy(held, release, kept, 0, heldLength - release);
      System.arraycopy(b, off, kept, heldLength - release, len);
      System.arraycopy(kept, 0, held, 0, kept.length);
      heldLength = kept.length;
    }

    /** The held bytes are the end-of-stream marker: the stream passed on so far is whole. */
    public boolean heldIsEndMarker() {
      return heldLength == EOS.length && java.util.Arrays.equals(held, EOS);
    }

    /** The producer succeeded: pass on the held bytes. */
    public void finish() throws IOException {
      out.write(held, 0, heldLength);
      heldLength = 0;
      out.flush();
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
