package dev.floe.catalog.trusted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * The trusted-writer messages as JSON, read as strictly as the Python side reads them: an unknown
 * or missing field, a value of another JSON type (no "5" for 5, no 5 for "5") or out of range is a
 * {@link ContractException} naming the field. Built on the service's own {@link ObjectMapper}.
 */
@ApplicationScoped
public class TrustedProtocol {
  private final ObjectReader requests;
  private final ObjectReader answers;
  private final ObjectWriter requestWriter;
  private final ObjectWriter answerWriter;

  public TrustedProtocol(ObjectMapper service) {
    ObjectMapper strict = service.copy();
    for (LogicalType type : LogicalType.values()) {
      var config = strict.coercionConfigFor(type);
      for (CoercionInputShape shape : CoercionInputShape.values()) {
        config.setCoercion(shape, CoercionAction.Fail);
      }
      config.setAcceptBlankAsEmpty(false);
    }
    this.requests = reader(strict, TrustedRequest.class);
    this.answers = reader(strict, TrustedAnswer.class);
    this.requestWriter = strict.writerFor(TrustedRequest.class);
    this.answerWriter = strict.writerFor(TrustedAnswer.class);
  }

  private static ObjectReader reader(ObjectMapper mapper, Class<?> type) {
    return mapper
        .readerFor(type)
        .with(
            DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
            DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
            DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
            DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
  }

  public byte[] encode(TrustedRequest request) {
    return write(requestWriter, request);
  }

  public byte[] encode(TrustedAnswer answer) {
    return write(answerWriter, answer);
  }

  public TrustedRequest decodeRequest(byte[] json) throws ContractException {
    return read(requests, json, "request");
  }

  public TrustedAnswer decodeAnswer(byte[] json) throws ContractException {
    return read(answers, json, "answer");
  }

  private static byte[] write(ObjectWriter writer, Object message) {
    try {
      return writer.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + message + " as JSON", e);
    }
  }

  private static <T> T read(ObjectReader reader, byte[] json, String what)
      throws ContractException {
    try {
      JsonNode tree = reader.readTree(json);
      if (tree == null || !tree.isObject()) {
        throw new ContractException(
            "Cannot read a trusted-writer " + what + ": it must be a JSON object", null);
      }
      return reader.readValue(tree);
    } catch (IOException | IllegalArgumentException e) {
      String reason =
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new ContractException("Cannot read a trusted-writer " + what + ": " + reason, e);
    }
  }

  /** A message that breaks the contract. */
  public static final class ContractException extends Exception {
    ContractException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
