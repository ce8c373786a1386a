package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The service's end of one runner's channel: a Unix socket that accepts exactly one connection (the
 * runner's, before any code of the run exists) and is then unlinked, so nothing else can connect.
 * Frames are a 4-byte big-endian length and that much UTF-8 JSON, one object each.
 */
public final class UnixRunnerChannel implements RunnerChannel {
  /** What a runner may send in one frame: its requests are small. */
  private final Path socket;

  private final ServerSocketChannel server;
  private final ObjectMapper json;
  private volatile SocketChannel connection;

  private UnixRunnerChannel(Path socket, ServerSocketChannel server, ObjectMapper json) {
    this.socket = socket;
    this.server = server;
    this.json = json;
  }

  /**
   * Listens at {@code socket}, which only its {@code owner} (uid, gid: the runner's, when the
   * service is root; null: the service's own user) may connect to.
   */
  public static UnixRunnerChannel listen(Path socket, ObjectMapper json, int[] owner)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket), 1);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      if (owner != null) {
        Files.setAttribute(socket, "unix:uid", owner[0]);
        Files.setAttribute(socket, "unix:gid", owner[1]);
      }
      return new UnixRunnerChannel(socket, server, json);
    } catch (IOException e) {
      server.close();
      throw e;
    }
  }

  /** Waits for the runner to connect and say hello; then no one else can connect. */
  @Override
  public JsonNode accept() throws IOException {
    try {
      connection = server.accept();
    } finally {
      server.close();
      Files.deleteIfExists(socket);
    }
    return RunnerChannel.hello(receive());
  }

  @Override
  public void send(Object message) throws IOException {
    byte[] body = json.writeValueAsBytes(message);
    ByteBuffer frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
    SocketChannel out = connection;
    while (frame.hasRemaining()) {
      out.write(frame);
    }
  }

  @Override
  public JsonNode receive() throws IOException {
    ByteBuffer header = ByteBuffer.allocate(4);
    if (!fill(header, true)) {
      return null;
    }
    int length = header.flip().getInt();
    if (length < 0 || length > RunnerChannel.MAX_FROM_RUNNER) {
      throw new IOException("the runner sent a frame of " + length + " bytes");
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    fill(body, false);
    JsonNode message = json.readTree(body.array());
    if (message == null || !message.isObject()) {
      throw new IOException("the runner sent a frame that is not a JSON object");
    }
    return message;
  }

  private boolean fill(ByteBuffer buffer, boolean endAllowed) throws IOException {
    SocketChannel in = connection;
    while (buffer.hasRemaining()) {
      if (in.read(buffer) < 0) {
        if (endAllowed && buffer.position() == 0) {
          return false;
        }
        throw new EOFException("the runner closed its channel in the middle of a frame");
      }
    }
    return true;
  }

  @Override
  public void close() {
    try {
      server.close();
      SocketChannel c = connection;
      if (c != null) {
        c.close();
      }
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // closing what is already gone
    }
  }
}
