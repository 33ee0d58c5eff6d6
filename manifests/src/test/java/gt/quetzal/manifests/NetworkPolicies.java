package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the rendered NetworkPolicies the way a CNI enforces ingress rules, so a test can ask
 * "may this pod reach that pod on this port?" without a cluster.
 */
final class NetworkPolicies {

  /** A source of traffic: a pod's labels and the labels of its namespace. */
  record Peer(String description, Map<String, String> podLabels, Map<String, String> namespaceLabels) {}

  private NetworkPolicies() {}

  static Peer pod(Rendered rendered, Rendered.Workload workload) {
    return new Peer(workload.toString(), workload.podLabels(), namespaceLabels(rendered, namespaceOf(workload)));
  }

  /** k3s's Traefik, which the Ingress routes through. */
  static Peer traefik() {
    return new Peer("Traefik (kube-system)", Map.of("app.kubernetes.io/name", "traefik"),
        Map.of("kubernetes.io/metadata.name", "kube-system"));
  }

  /** KEDA's operator, which reads consumer lag for the keda component. */
  static Peer keda() {
    return new Peer("KEDA operator (keda)", Map.of("app.kubernetes.io/name", "keda-operator"),
        Map.of("kubernetes.io/metadata.name", "keda"));
  }

  static boolean allows(Rendered rendered, Peer from, Rendered.Workload to, int port) {
    String namespace = namespaceOf(to);
    List<NetworkPolicy> isolating = rendered.all(NetworkPolicy.class).stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .filter(p -> LabelSelectors.matches(p.getSpec().getPodSelector(), to.podLabels()))
        .filter(p -> p.getSpec().getPolicyTypes() == null || p.getSpec().getPolicyTypes().isEmpty()
            || p.getSpec().getPolicyTypes().contains("Ingress"))
        .toList();
    if (isolating.isEmpty()) {
      return true;
    }
    for (NetworkPolicy policy : isolating) {
      List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
      if (rules == null) {
        continue;
      }
      for (NetworkPolicyIngressRule rule : rules) {
        if (peerMatches(rule.getFrom(), from, namespace) && portMatches(rule.getPorts(), to, port)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean peerMatches(List<NetworkPolicyPeer> peers, Peer from, String policyNamespace) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        // Only "anywhere" is used here; pods fall inside it.
        if ("0.0.0.0/0".equals(peer.getIpBlock().getCidr())) {
          return true;
        }
        continue;
      }
      boolean namespaceOk = peer.getNamespaceSelector() == null
          ? policyNamespace.equals(from.namespaceLabels().get("kubernetes.io/metadata.name"))
          : LabelSelectors.matches(peer.getNamespaceSelector(), from.namespaceLabels());
      boolean podOk = peer.getPodSelector() == null || LabelSelectors.matches(peer.getPodSelector(), from.podLabels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean portMatches(List<NetworkPolicyPort> ports, Rendered.Workload to, int port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      if (p.getPort() == null) {
        return true;
      }
      Integer resolved = resolve(p.getPort(), to);
      if (resolved != null && resolved == port) {
        return true;
      }
    }
    return false;
  }

  /** A port by number, or by the name of one of the workload's container ports; null if unknown. */
  static Integer resolve(IntOrString port, Rendered.Workload workload) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    for (Container container : workload.containers()) {
      for (ContainerPort cp : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
        if (port.getStrVal().equals(cp.getName())) {
          return cp.getContainerPort();
        }
      }
    }
    return null;
  }

  static String namespaceOf(Rendered.Workload workload) {
    String ns = workload.owner().getMetadata().getNamespace();
    return ns == null ? "default" : ns;
  }

  static Map<String, String> namespaceLabels(Rendered rendered, String namespace) {
    Map<String, String> labels = new HashMap<>();
    rendered.find(Namespace.class, namespace).ifPresent(n -> {
      if (n.getMetadata().getLabels() != null) {
        labels.putAll(n.getMetadata().getLabels());
      }
    });
    labels.put("kubernetes.io/metadata.name", namespace);
    return labels;
  }
}
