package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deploy guide stays true to the manifests it describes. {@link #problems} checks a guide's text
 * against the rendered local overlay; the real guide has none, and broken copies of it each have theirs.
 */
class DocsTest {

  private static final String GUIDE = Yaml.read(Repo.root().resolve("docs/kubernetes.md"));
  static final List<String> STEPS = List.of(
      "get.k3s.io",
      "jib:buildTar",
      "k3s ctr images import",
      "kubectl apply -k manifests/overlays/local",
      "kubectl apply -k manifests/overlays/prod",
      "http://<node>/grafana/",
      "/usr/bin/locust",
      "../../components/loadbalancer",
      "../../components/keda");

  /** What the guide fails to say about the rendered deployment, one line per omission. */
  static List<String> problems(String guide, Rendered local) {
    List<String> problems = new ArrayList<>();
    for (String step : STEPS) {
      if (!guide.contains(step)) {
        problems.add("the guide never mentions " + step);
      }
    }
    for (String secret : Deployments.PROD_EXTERNAL_SECRETS) {
      if (!guide.contains("create secret generic " + secret)) {
        problems.add("the guide never creates the Secret " + secret + " prod expects");
      }
    }
    Ingress ingress = local.find(Ingress.class, "quetzal").orElseThrow();
    for (var rule : ingress.getSpec().getRules()) {
      for (HTTPIngressPath path : rule.getHttp().getPaths()) {
        if (!guide.contains(path.getPath())) {
          problems.add("the guide never names the route " + path.getPath());
        }
      }
    }
    String committed = PodEnv.secretValue(local.secret("grafana-admin").orElseThrow(), "password");
    if (!guide.contains(committed)) {
      problems.add("the guide does not give the committed Grafana dev password");
    }
    int operational = 0;
    for (Rendered.Workload w : local.workloads()) {
      for (var c : w.containers()) {
        for (ContainerPort port : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          if (Wiring.OPERATIONAL_PORT_NAMES.contains(port.getName())) {
            operational++;
            // The workload's row of the ports table carries the port: one line, not two matches anywhere.
            Pattern row = Pattern.compile("(?m)^\\| " + Pattern.quote(w.name()) + " \\|.*\\b"
                + port.getContainerPort() + " `" + Pattern.quote(port.getName()) + "`.*\\|$");
            if (!row.matcher(guide).find()) {
              problems.add("the ports table has no row | " + w.name() + " | with " + port.getContainerPort() + " `" + port.getName() + "`");
            }
          }
        }
      }
    }
    if (operational < 2) {
      problems.add("expected at least two operational ports in the local overlay, found " + operational);
    }
    return problems;
  }

  @Test
  void theGuideIsTrueToTheManifests() {
    assertThat(problems(GUIDE, Deployments.local())).isEmpty();
  }

  // ---- broken copies of the guide, each with its own problem

  private static String without(String text, String part) {
    assertThat(text).contains(part);
    return text.replace(part, "");
  }

  @Test
  void aMissingStepIsCaught() {
    assertThat(problems(without(GUIDE, "k3s ctr images import"), Deployments.local()))
        .containsExactly("the guide never mentions k3s ctr images import");
  }

  @Test
  void aSecretProdExpectsButTheGuideNeverCreatesIsCaught() {
    assertThat(problems(GUIDE.replace("create secret generic mongodb-auth", "create secret generic mongo-auth"), Deployments.local()))
        .containsExactly("the guide never creates the Secret mongodb-auth prod expects");
  }

  @Test
  void anUndocumentedRouteIsCaught() {
    assertThat(problems(GUIDE.replace("/votes", "/vote"), Deployments.local()))
        .containsExactly("the guide never names the route /votes");
  }

  @Test
  void aStaleDevPasswordIsCaught() {
    String committed = PodEnv.secretValue(Deployments.local().secret("grafana-admin").orElseThrow(), "password");
    assertThat(problems(GUIDE.replace(committed, "changeme-" + committed.length()), Deployments.local()))
        .containsExactly("the guide does not give the committed Grafana dev password");
  }

  @Test
  void anOpsPortOnAnotherRowOrMissingIsCaught() {
    // The port moved to another workload's row: both words are still in the guide, on the wrong lines.
    String swapped = GUIDE.replace("| web | 8088 `http`", "| wep | 8088 `http`");
    assertThat(problems(swapped, Deployments.local()))
        .containsExactly("the ports table has no row | web | with 8089 `ops`");
    assertThat(problems(GUIDE.replace("8081 `ops`", "8081 `opz`"), Deployments.local()))
        .containsExactly("the ports table has no row | ingest-http | with 8081 `ops`");
  }
}
