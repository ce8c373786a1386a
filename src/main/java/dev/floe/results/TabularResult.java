package dev.floe.results;

import java.util.List;

/** A result rendered for JSON: at most the inline row cap, with the full count beside it. */
public record TabularResult(
    List<String> columns,
    List<String> columnTypes,
    List<List<Object>> rows,
    long rowCount,
    boolean truncated) {}
