package dev.floe.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Two spellings of "may be null" the scanner gets wrong: a nullable field whose type is another
 * schema comes out as {@code type: object} beside {@code anyOf: [$ref, {type: null}]} (the type
 * forbids the null the anyOf allows: the anyOf alone says it right), and {@code Void.class} in an
 * {@code anyOf} comes out as a bare {@code null} item (made {@code {type: null}}).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class NullableSchemas implements OASFilter {
  private static final List<Schema.SchemaType> NULL = List.of(Schema.SchemaType.NULL);

  @Override
  public Schema filterSchema(Schema schema) {
    List<Schema> anyOf = schema.getAnyOf();
    if (anyOf == null) {
      return schema;
    }
    if (anyOf.contains(null)) {
      List<Schema> fixed = new ArrayList<>();
      for (Schema s : anyOf) {
        fixed.add(Objects.requireNonNullElseGet(s, () -> OASFactory.createSchema().type(NULL)));
      }
      schema.setAnyOf(fixed);
      anyOf = fixed;
    }
    List<Schema.SchemaType> type = schema.getType();
    if (type != null
        && !type.contains(Schema.SchemaType.NULL)
        && anyOf.stream().anyMatch(s -> NULL.equals(s.getType()))) {
      schema.setType(null);
    }
    return schema;
  }
}
