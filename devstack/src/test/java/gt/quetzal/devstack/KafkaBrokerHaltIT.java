package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.contract.Topics;
import java.nio.file.Path;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerHaltIT {

  @TempDir Path dir;

  @Test
  void haltedBrokerRestartsOnItsPortsAndStillHasAcknowledgedRecords() throws Exception {
    RecordMetadata sent;
    int brokerPort;
    int controllerPort;
    try (KafkaBroker broker = KafkaBroker.start(dir, 0, 0)) {
      brokerPort = broker.brokerPort();
      controllerPort = broker.controllerPort();
      TopicSetup.createAll(broker.bootstrapServers());
      sent = KafkaTestClients.sendDurably(broker.bootstrapServers(), Topics.TALLIES_BANDS, "La Tona", 12L);
      broker.halt();
      // close() after halt() must be a no-op, which try-with-resources exercises.
    }

    assertThat(Ports.isFree(brokerPort)).as("broker port released").isTrue();
    assertThat(dir.resolve("logs/.kafka_cleanshutdown")).as("clean-shutdown marker").doesNotExist();
    assertThat(dir.resolve("logs/recovery-point-offset-checkpoint")).doesNotExist();

    try (KafkaBroker again = KafkaBroker.start(dir, brokerPort, controllerPort)) {
      assertThat(again.bootstrapServers()).isEqualTo("localhost:" + brokerPort);
      ConsumerRecord<String, Long> read =
          KafkaTestClients.readAt(again.bootstrapServers(), Topics.TALLIES_BANDS, sent, "read_uncommitted");
      assertThat(read.key()).isEqualTo("La Tona");
      assertThat(read.value()).isEqualTo(12L);
    }
  }
}
