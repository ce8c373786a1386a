package dev.floe.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract's type rules, value by value, on real Arrow vectors. */
class JsonValuesTest {
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  @Test
  void integersAreNumbersUpTo2To53AndStringsBeyond() {
    try (BigIntVector v = new BigIntVector("i", allocator)) {
      v.allocateNew(5);
      v.set(0, 42);
      v.set(1, (1L << 53) - 1);
      v.set(2, 1L << 53);
      v.set(3, -(1L << 53));
      v.setNull(4);
      v.setValueCount(5);
      assertEquals(42L, JsonValues.of(v, 0));
      assertEquals((1L << 53) - 1, JsonValues.of(v, 1));
      assertEquals("9007199254740992", JsonValues.of(v, 2));
      assertEquals("-9007199254740992", JsonValues.of(v, 3));
      assertNull(JsonValues.of(v, 4));
    }
    try (UInt8Vector v = new UInt8Vector("u", allocator)) {
      v.allocateNew(2);
      v.set(0, 7);
      v.set(1, -1L); // 2^64 - 1 unsigned
      v.setValueCount(2);
      assertEquals(7L, JsonValues.of(v, 0));
      assertEquals("18446744073709551615", JsonValues.of(v, 1));
    }
    try (IntVector v = new IntVector("i32", allocator)) {
      v.allocateNew(1);
      v.set(0, -3);
      v.setValueCount(1);
      assertEquals(-3L, JsonValues.of(v, 0));
    }
  }

  @Test
  void floatsAreNumbersAndNanOrInfinitiesStrings() {
    try (Float8Vector v = new Float8Vector("f", allocator)) {
      v.allocateNew(4);
      v.set(0, 1.5);
      v.set(1, Double.NaN);
      v.set(2, Double.POSITIVE_INFINITY);
      v.set(3, Double.NEGATIVE_INFINITY);
      v.setValueCount(4);
      assertEquals(1.5, JsonValues.of(v, 0));
      assertEquals("NaN", JsonValues.of(v, 1));
      assertEquals("Infinity", JsonValues.of(v, 2));
      assertEquals("-Infinity", JsonValues.of(v, 3));
    }
  }

  @Test
  void decimalsAreStringsAndTextBooleansBinaryAsThemselves() {
    try (DecimalVector d = new DecimalVector("d", allocator, 10, 3);
        VarCharVector s = new VarCharVector("s", allocator);
        BitVector b = new BitVector("b", allocator);
        VarBinaryVector bin = new VarBinaryVector("bin", allocator)) {
      d.allocateNew(1);
      d.set(0, new BigDecimal("12345.670"));
      d.setValueCount(1);
      s.allocateNew(1);
      s.set(0, "setosa ✓".getBytes(StandardCharsets.UTF_8));
      s.setValueCount(1);
      b.allocateNew(1);
      b.set(0, 1);
      b.setValueCount(1);
      bin.allocateNew(1);
      bin.set(0, new byte[] {0, 1, 2});
      bin.setValueCount(1);
      assertEquals("12345.670", JsonValues.of(d, 0));
      assertEquals("setosa ✓", JsonValues.of(s, 0));
      assertEquals(true, JsonValues.of(b, 0));
      assertEquals("AAEC", JsonValues.of(bin, 0));
    }
  }

  @Test
  void datesTimesTimestampsAndDurationsAreIso8601() {
    try (DateDayVector date = new DateDayVector("d", allocator);
        TimeMicroVector time = new TimeMicroVector("t", allocator);
        TimeStampMicroVector ts = new TimeStampMicroVector("ts", allocator);
        TimeStampMicroTZVector zoned = new TimeStampMicroTZVector("z", allocator, "Europe/Berlin");
        DurationVector duration =
            new DurationVector(
                "dur",
                FieldType.nullable(new ArrowType.Duration(TimeUnit.MILLISECOND)),
                allocator)) {
      date.allocateNew(1);
      date.set(0, 19_723); // 2024-01-01
      date.setValueCount(1);
      time.allocateNew(1);
      time.set(0, 3_723_000_001L); // 01:02:03.000001
      time.setValueCount(1);
      ts.allocateNew(1);
      ts.set(0, -1L); // one microsecond before the epoch
      ts.setValueCount(1);
      zoned.allocateNew(1);
      zoned.set(0, 1_704_067_200_000_000L); // 2024-01-01T00:00Z
      zoned.setValueCount(1);
      duration.allocateNew(1);
      duration.set(0, 90_000L);
      duration.setValueCount(1);
      assertEquals("2024-01-01", JsonValues.of(date, 0));
      assertEquals("01:02:03.000001", JsonValues.of(time, 0));
      assertEquals("1969-12-31T23:59:59.999999", JsonValues.of(ts, 0));
      assertEquals("2024-01-01T01:00:00.000000+01:00", JsonValues.of(zoned, 0));
      assertEquals("PT1M30S", JsonValues.of(duration, 0));
    }
  }

  @Test
  void listsAndStructsNestWithTheSameRules() {
    try (ListVector list = ListVector.empty("l", allocator);
        StructVector struct = StructVector.empty("s", allocator)) {
      UnionListWriter writer = list.getWriter();
      writer.setPosition(0);
      writer.startList();
      writer.bigInt().writeBigInt(1);
      writer.bigInt().writeBigInt(1L << 60);
      writer.endList();
      writer.setValueCount(1);
      list.setValueCount(1);
      assertEquals(List.of(1L, "1152921504606846976"), JsonValues.of(list, 0));

      Float8Vector x =
          struct.addOrGet(
              "x", FieldType.nullable(Types.MinorType.FLOAT8.getType()), Float8Vector.class);
      VarCharVector name =
          struct.addOrGet(
              "name", FieldType.nullable(Types.MinorType.VARCHAR.getType()), VarCharVector.class);
      struct.allocateNew();
      x.setSafe(0, Double.NaN);
      name.setNull(0);
      struct.setIndexDefined(0);
      x.setValueCount(1);
      name.setValueCount(1);
      struct.setValueCount(1);
      Map<String, Object> expected = new java.util.LinkedHashMap<>();
      expected.put("x", "NaN");
      expected.put("name", null);
      assertEquals(expected, JsonValues.of(struct, 0));
    }
  }
}
