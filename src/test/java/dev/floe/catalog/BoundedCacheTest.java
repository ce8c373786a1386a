package dev.floe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  @Test
  void theLeastRecentlyUsedEntryLeavesFirst() {
    BoundedCache<String, Integer> cache = new BoundedCache<>(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assertEquals(1, cache.get("a")); // a is now the most recently used
    cache.put("c", 3);
    assertNull(cache.get("b"));
    assertEquals(1, cache.get("a"));
    assertEquals(3, cache.get("c"));
  }

  @Test
  void aValueIsMadeOnceWhileItIsKept() {
    BoundedCache<String, Integer> cache = new BoundedCache<>(4);
    AtomicInteger made = new AtomicInteger();
    assertEquals(1, cache.get("k", made::incrementAndGet));
    assertEquals(1, cache.get("k", made::incrementAndGet));
    assertEquals(1, made.get());
    cache.remove("k");
    assertEquals(2, cache.get("k", made::incrementAndGet));
  }
}
