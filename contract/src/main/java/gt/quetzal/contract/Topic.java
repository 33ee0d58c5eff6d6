package gt.quetzal.contract;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/** A topic's name and its serdes, kept together so no reader can pick the wrong ones. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }
}
