package gt.quetzal.bench.stack;

import gt.quetzal.devstack.Devstack;

/** Where the services find Kafka, Redis and MongoDB. */
public record Infra(String bootstrapServers, String redisUrl, String mongoUri) {

  public static Infra of(Devstack devstack) {
    return new Infra(devstack.bootstrapServers(), devstack.redisUrl(), devstack.mongoUri());
  }
}
