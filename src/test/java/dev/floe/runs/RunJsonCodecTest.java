package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableName;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import org.junit.jupiter.api.Test;

/** The JSON columns, as earlier versions wrote them. */
class RunJsonCodecTest {
  private final RunJsonCodec codec = new RunJsonCodec(new ObjectMapper());

  @Test
  void theStoredShapesAreUnchanged() {
    SaveOutcome saved = new SaveOutcome(new TableName("ns", "t"), 3, "append", "42", true);
    String stored =
        "{\"table\":\"ns.t\",\"rows_written\":3,\"mode\":\"append\",\"snapshot_id\":\"42\","
            + "\"created\":true}";
    assertEquals(stored, codec.saved(saved));
    assertEquals(saved, codec.saved(stored));
    assertEquals(
        "{\"head\":\"aGk=\",\"dropped\":7,\"tail\":\"\"}",
        codec.logs(new BoundedLog.Snapshot("hi".getBytes(), 7, new byte[0])));
    BoundedLog.Snapshot log = codec.logs("{\"head\":\"aGk=\",\"dropped\":7,\"tail\":\"aG8=\"}");
    assertArrayEquals("hi".getBytes(), log.head());
    assertArrayEquals("ho".getBytes(), log.tail());
    assertNull(codec.saved((SaveOutcome) null));
    assertNull(codec.logs((String) null));
  }

  @Test
  void anErrorRoundTripsAndAnUnreadableOneReadsInternal() {
    FloeException error =
        new FloeException(ErrorCode.SCRIPT_ERROR, "boom", "tb", Diagnostics.hint("fix line 2"));
    FloeException read = codec.error(codec.error(error), "r-1");
    assertEquals(ErrorCode.SCRIPT_ERROR, read.code());
    assertEquals("boom", read.getMessage());
    assertEquals("tb", read.details());
    assertEquals("fix line 2", read.diagnostics().hint());
    assertEquals("r-1", read.runId());

    FloeException unreadable = codec.error("{\"code\":\"NO_SUCH_CODE\"}", "r-2");
    assertEquals(ErrorCode.INTERNAL, unreadable.code());
    assertEquals("The run failed; its error record is unreadable.", unreadable.getMessage());
    assertEquals(ErrorCode.INTERNAL, codec.error("not json", "r-3").code());
  }
}
