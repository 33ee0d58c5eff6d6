package gt.quetzal.ingest.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the service answer undecodable request messages itself. By default grpc-java turns a
 * message that fails to parse (truncated bytes, invalid UTF-8 in a string) into UNKNOWN
 * "Application error processing RPC", which blames the server; with this wrapper the parse failure
 * becomes a sentinel instance the service recognises by identity and answers INVALID_ARGUMENT.
 *
 * <p>The method and service descriptors are rebuilt around the wrapped marshallers, keeping the
 * schema descriptors so server reflection still describes the service.
 */
final class MalformedMessages {

  private static final Logger log = LoggerFactory.getLogger(MalformedMessages.class);

  private MalformedMessages() {}

  /**
   * @param sentinels per full method name, the instance to hand over instead of a parse failure;
   *                  methods not listed are left as they are
   */
  static ServerServiceDefinition tolerate(ServerServiceDefinition service, Map<String, Object> sentinels) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> replaced = replace(method, sentinels.get(method.getMethodDescriptor().getFullMethodName()));
      methods.add(replaced);
      descriptor.addMethod(replaced.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(result::addMethod);
    return result.build();
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerMethodDefinition<Q, R> replace(ServerMethodDefinition<Q, R> method, Object sentinel) {
    if (sentinel == null) {
      return method;
    }
    MethodDescriptor<Q, R> original = method.getMethodDescriptor();
    MethodDescriptor<Q, R> tolerant =
        original.toBuilder()
            .setRequestMarshaller(new Tolerant<>(original.getRequestMarshaller(), (Q) sentinel, original.getFullMethodName()))
            .build();
    return ServerMethodDefinition.create(tolerant, method.getServerCallHandler());
  }

  private static final class Tolerant<T> implements MethodDescriptor.Marshaller<T> {
    private final MethodDescriptor.Marshaller<T> delegate;
    private final T sentinel;
    private final String method;

    Tolerant(MethodDescriptor.Marshaller<T> delegate, T sentinel, String method) {
      this.delegate = delegate;
      this.sentinel = sentinel;
      this.method = method;
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        log.debug("undecodable request for {}: {}", method, e.toString());
        return sentinel;
      }
    }
  }
}
