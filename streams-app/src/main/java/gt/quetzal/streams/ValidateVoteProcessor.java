package gt.quetzal.streams;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns raw bytes into a {@link Verdict} through {@link VoteValidator}. A processor rather than a
 * {@code mapValues} only to reach the stream's wall clock for {@code rejectedAt}, which {@code
 * TopologyTestDriver} controls.
 */
final class ValidateVoteProcessor implements FixedKeyProcessor<String, byte[], Verdict> {

  private final CatalogIndex catalog;
  private FixedKeyProcessorContext<String, Verdict> context;

  /** @param catalog the contest catalog, or {@code null} to count any well-formed vote */
  ValidateVoteProcessor(CatalogIndex catalog) {
    this.catalog = catalog;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Verdict> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    Verdict verdict =
        VoteValidator.check(record.key(), record.value(), context.currentSystemTimeMs(), catalog);
    context.forward(record.withValue(verdict));
  }
}
