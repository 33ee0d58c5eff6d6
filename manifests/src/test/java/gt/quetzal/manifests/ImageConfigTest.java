package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Images cannot be built here (no registry, no Docker), so this checks what would be built: Jib is
 * configured once in the parent POM, every runnable module names its main class, that class exists,
 * and the manifests run exactly those images and classes.
 */
class ImageConfigTest {

  @Test
  void jibIsConfiguredOnceInTheParentPom() {
    Map<String, String> jib = Poms.jibConfiguration(Repo.root());
    assertThat(jib).as("jib-maven-plugin in the root pom's pluginManagement").isNotEmpty();
    assertThat(jib).containsEntry("version", "3.5.2")
        .containsEntry("from/image", "eclipse-temurin:17-jre")
        .containsEntry("to/image", "${quetzal.imageRegistry}/quetzal/${project.artifactId}:${project.version}")
        .containsEntry("container/mainClass", "${quetzal.mainClass}");
    // The pods' runAsUser must be the image's user.
    assertThat(jib.get("container/user")).isIn(Wiring.JIB_USER, Wiring.JIB_USER + ":" + Wiring.JIB_USER);
    assertThat(Poms.properties(Repo.root().resolve("pom.xml")))
        .as("modules build images only when they opt in").containsEntry("jib.skip", "true")
        .as("images are named for the local import unless told otherwise").containsEntry("quetzal.imageRegistry", ImagePolicy.LOCAL_REGISTRY);
  }

  /** arm64 nodes (Raspberry Pi, Graviton, Apple-silicon VMs) fail with "exec format error" on an amd64-only image. */
  @Test
  void jibBuildsForAmd64AndArm64() {
    assertThat(Poms.jibPlatforms(Repo.root())).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
    // jib:buildTar refuses several platforms, so the guide must pass one for the tarball it imports.
    String guide = Yaml.read(Repo.root().resolve("docs/kubernetes.md"));
    assertThat(guide).contains("jib:buildTar -Djib.from.platforms=linux/", "linux/arm64");
  }

  @Test
  void thePlatformReaderSeesEveryPlatformOfABrokenCopy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // A copy of the root POM with arm64 dropped: the check above would fail on it.
    String pom = java.nio.file.Files.readString(Repo.root().resolve("pom.xml"));
    String amd64Only = pom.replaceAll("(?s)<platform>\\s*<architecture>arm64</architecture>.*?</platform>", "");
    assertThat(amd64Only).isNotEqualTo(pom);
    java.nio.file.Files.writeString(dir.resolve("pom.xml"), amd64Only);
    assertThat(Poms.jibPlatforms(dir)).containsExactly("linux/amd64");
  }

  @ParameterizedTest
  @EnumSource(QuetzalService.class)
  void everyServiceMainClassExistsAndIsRunnable(QuetzalService service) throws Exception {
    Method main = service.load(service.mainClass).getMethod("main", String[].class);
    assertThat(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers())).isTrue();
  }

  @ParameterizedTest
  @EnumSource(QuetzalService.class)
  void everyRunnableModuleNamesItsImagesMainClass(QuetzalService service) {
    Map<String, String> properties = Poms.properties(Repo.root().resolve(service.module).resolve("pom.xml"));
    assertThat(properties).as(service.module + "/pom.xml").containsEntry("jib.skip", "false");
    if (service.isModuleDefault()) {
      assertThat(properties).as(service.module + "/pom.xml").containsEntry("quetzal.mainClass", service.mainClass);
    }
  }

  @Test
  void theManifestsRunEveryServiceFromItsModulesImage() {
    Rendered local = Deployments.local();
    String version = Poms.projectVersion(Repo.root());
    Set<String> deployed = new TreeSet<>();
    for (Rendered.Workload w : local.workloads()) {
      for (Container c : w.containers()) {
        QuetzalService.byContainer(c.getName()).ifPresent(s -> {
          deployed.add(s.container);
          assertThat(c.getImage()).isEqualTo(ImagePolicy.LOCAL_REGISTRY + "/quetzal/" + s.module + ":" + version);
        });
      }
    }
    assertThat(deployed).containsExactlyInAnyOrder(
        java.util.Arrays.stream(QuetzalService.values()).map(s -> s.container).toArray(String[]::new));
  }
}
