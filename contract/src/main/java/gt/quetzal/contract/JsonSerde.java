package gt.quetzal.contract;

import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde that writes one Java record as UTF-8 JSON through {@link Json#MAPPER}. */
public final class JsonSerde {

  private JsonSerde() {}

  public static <T> Serde<T> of(Class<T> type) {
    Serializer<T> serializer =
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          try {
            return Json.MAPPER.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON", e);
          }
        };
    Deserializer<T> deserializer =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            return Json.MAPPER.readValue(bytes, type);
          } catch (IOException e) {
            throw new SerializationException(
                "cannot read " + type.getSimpleName() + " from topic " + topic, e);
          }
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
