package dev.floe.results;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * One Arrow value as a JSON-ready Java value, per the contract: JSON-native where lossless; dates
 * and times ISO-8601; decimals and integers beyond 2^53 as strings; NaN and infinities as strings.
 */
public final class JsonValues {
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private JsonValues() {}

  public static Object of(ValueVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    if (vector instanceof BigIntVector v) {
      return safeInteger(v.get(index));
    }
    if (vector instanceof UInt8Vector v) {
      BigInteger value = UInt8Vector.getNoOverflow(v.getDataBuffer(), index);
      return value.bitLength() > 53 ? value.toString() : value.longValue();
    }
    if (vector instanceof BaseIntVector v) {
      return v.getValueAsLong(index);
    }
    if (vector instanceof Float8Vector v) {
      return floating(v.get(index));
    }
    if (vector instanceof Float4Vector v) {
      return floating(v.get(index));
    }
    if (vector instanceof Float2Vector v) {
      return floating(v.getValueAsDouble(index));
    }
    if (vector instanceof BitVector v) {
      return v.get(index) != 0;
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(index), java.nio.charset.StandardCharsets.UTF_8);
    }
    if (vector instanceof LargeVarCharVector v) {
      return new String(v.get(index), java.nio.charset.StandardCharsets.UTF_8);
    }
    if (vector instanceof VarBinaryVector v) {
      return Base64.getEncoder().encodeToString(v.get(index));
    }
    if (vector instanceof LargeVarBinaryVector v) {
      return Base64.getEncoder().encodeToString(v.get(index));
    }
    if (vector instanceof DecimalVector v) {
      BigDecimal value = v.getObject(index);
      return value.toPlainString();
    }
    if (vector instanceof DateDayVector v) {
      return LocalDate.ofEpochDay(v.get(index)).toString();
    }
    if (vector instanceof DateMilliVector v) {
      return LocalDate.ofEpochDay(Math.floorDiv(v.get(index), 86_400_000L)).toString();
    }
    if (vector instanceof TimeStampVector v) {
      return timestamp(v, index);
    }
    if (vector instanceof TimeNanoVector v) {
      return LocalTime.ofNanoOfDay(v.get(index)).toString();
    }
    if (vector instanceof TimeMicroVector v) {
      return LocalTime.ofNanoOfDay(v.get(index) * 1_000L).toString();
    }
    if (vector instanceof TimeMilliVector v) {
      return LocalTime.ofNanoOfDay(v.get(index) * 1_000_000L).toString();
    }
    if (vector instanceof TimeSecVector v) {
      return LocalTime.ofSecondOfDay(v.get(index)).toString();
    }
    if (vector instanceof DurationVector v) {
      return duration(v, index).toString();
    }
    if (vector instanceof ListVector v) {
      return elements(
          v.getDataVector(), v.getElementStartIndex(index), v.getElementEndIndex(index));
    }
    if (vector instanceof LargeListVector v) {
      return elements(
          v.getDataVector(),
          (int) v.getElementStartIndex(index),
          (int) v.getElementEndIndex(index));
    }
    if (vector instanceof FixedSizeListVector v) {
      int size = v.getListSize();
      return elements(v.getDataVector(), index * size, index * size + size);
    }
    if (vector instanceof StructVector v) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (FieldVector child : v.getChildrenFromFields()) {
        object.put(child.getName(), of(child, index));
      }
      return object;
    }
    // A type Polars does not produce today: Arrow's own rendering is better than failing the run.
    Object value = vector.getObject(index);
    return value == null ? null : value.toString();
  }

  private static List<Object> elements(ValueVector data, int start, int end) {
    List<Object> out = new ArrayList<>(end - start);
    for (int i = start; i < end; i++) {
      out.add(of(data, i));
    }
    return out;
  }

  private static Object safeInteger(long value) {
    return Math.abs(value) > MAX_SAFE_INTEGER ? Long.toString(value) : value;
  }

  private static Object floating(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    return value;
  }

  /** One fixed width per time unit, so every value of a column renders alike. */
  private static final Map<TimeUnit, DateTimeFormatter> LOCAL =
      Map.of(
          TimeUnit.SECOND, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"),
          TimeUnit.MILLISECOND, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS"),
          TimeUnit.MICROSECOND, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS"),
          TimeUnit.NANOSECOND, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS"));

  private static String timestamp(TimeStampVector v, int index) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
    Instant instant = instant(v.get(index), type.getUnit());
    DateTimeFormatter local = LOCAL.get(type.getUnit());
    if (type.getTimezone() == null) {
      return local.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
    var zoned = instant.atZone(ZoneId.of(type.getTimezone()));
    return local.format(zoned) + zoned.getOffset().toString().replace("Z", "+00:00");
  }

  private static Instant instant(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Instant.ofEpochSecond(value);
      case MILLISECOND -> Instant.ofEpochMilli(value);
      case MICROSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
      case NANOSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    };
  }

  private static Duration duration(DurationVector v, int index) {
    long value = DurationVector.get(v.getDataBuffer(), index);
    ArrowType.Duration type = (ArrowType.Duration) v.getField().getType();
    return switch (type.getUnit()) {
      case SECOND -> Duration.ofSeconds(value);
      case MILLISECOND -> Duration.ofMillis(value);
      case MICROSECOND -> Duration.ofNanos(value * 1_000L);
      case NANOSECOND -> Duration.ofNanos(value);
    };
  }
}
