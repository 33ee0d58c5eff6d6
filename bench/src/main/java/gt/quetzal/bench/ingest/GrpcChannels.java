package gt.quetzal.bench.ingest;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A few plaintext HTTP/2 connections to the gRPC port, each answering on its Netty thread. */
final class GrpcChannels implements AutoCloseable {

  final List<ManagedChannel> channels = new ArrayList<>();

  GrpcChannels(int port, int count) {
    for (int i = 0; i < count; i++) {
      // directExecutor: our callbacks are a few field updates, not worth a thread hop per message
      channels.add(
          Grpc.newChannelBuilderForAddress("localhost", port, InsecureChannelCredentials.create()).directExecutor().build());
    }
  }

  ManagedChannel get(int index) {
    return channels.get(Math.floorMod(index, channels.size()));
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels) {
      channel.shutdown();
    }
    try {
      for (ManagedChannel channel : channels) {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      channels.forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }
}
