package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import org.junit.jupiter.api.Test;

/** The deploy guide stays true to the manifests it describes. */
class DocsTest {

  private static final String GUIDE = Yaml.read(Repo.root().resolve("docs/kubernetes.md"));

  @Test
  void theGuideCoversInstallImagesApplyOpenAndLoad() {
    assertThat(GUIDE).contains(
        "get.k3s.io",
        "jib:buildTar",
        "k3s ctr images import",
        "kubectl apply -k manifests/overlays/local",
        "kubectl apply -k manifests/overlays/prod",
        "http://<node>/grafana/",
        "/usr/bin/locust",
        "../../components/loadbalancer",
        "../../components/keda");
  }

  @Test
  void everySecretProdExpectsIsCreatedInTheGuide() {
    for (String secret : Deployments.PROD_EXTERNAL_SECRETS) {
      assertThat(GUIDE).contains("create secret generic " + secret);
    }
  }

  @Test
  void everyIngressRouteIsDocumented() {
    Ingress ingress = Deployments.local().find(Ingress.class, "quetzal").orElseThrow();
    for (var rule : ingress.getSpec().getRules()) {
      for (HTTPIngressPath path : rule.getHttp().getPaths()) {
        assertThat(GUIDE).contains(path.getPath());
      }
    }
  }

  @Test
  void theDocumentedDevPasswordIsTheCommittedOne() {
    String committed = PodEnv.secretValue(Deployments.local().secret("grafana-admin").orElseThrow(), "password");
    assertThat(GUIDE).contains(committed);
  }

  @Test
  void everyOperationalPortIsInTheGuidesTable() {
    int found = 0;
    for (Rendered.Workload w : Deployments.local().workloads()) {
      for (var c : w.containers()) {
        for (var port : c.getPorts() == null ? java.util.List.<io.fabric8.kubernetes.api.model.ContainerPort>of() : c.getPorts()) {
          if (Wiring.OPERATIONAL_PORT_NAMES.contains(port.getName())) {
            found++;
            assertThat(GUIDE).contains("| " + w.name() + " |").contains(port.getContainerPort() + " `" + port.getName() + "`");
          }
        }
      }
    }
    assertThat(found).as("ops ports in the local overlay").isGreaterThanOrEqualTo(2);
  }
}
