package dev.floe.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A thread-safe map of at most {@code capacity} entries that drops the least recently used one: the
 * trusted side's caches (tables, a snapshot's files, granted metadata) are all of this kind.
 */
final class BoundedCache<K, V> {
  private final Map<K, V> entries;

  BoundedCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The kept value, or null. */
  synchronized V get(K key) {
    return entries.get(key);
  }

  synchronized void put(K key, V value) {
    entries.put(key, value);
  }

  synchronized void remove(K key) {
    entries.remove(key);
  }

  /**
   * The kept value, else {@code make}'s, kept. It is made outside the lock, so a slow one blocks no
   * other key (two callers may make the same value at once; both get an equal one).
   */
  V get(K key, Supplier<V> make) {
    V known = get(key);
    if (known != null) {
      return known;
    }
    V made = make.get();
    put(key, made);
    return made;
  }
}
