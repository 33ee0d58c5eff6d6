package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict parser rejects what the API server would, so the other checks can trust it. */
class TypedTest {

  private static List<String> problems(String yaml) {
    return Typed.parse(Yaml.documents(yaml, "test").get(0), "test").problems();
  }

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        selector:
          matchLabels:
            app: d
        template:
          metadata:
            labels:
              app: d
          spec:
            containers:
              - name: c
                image: i:1
                %s
      """;

  @Test
  void aValidObjectHasNoProblem() {
    assertThat(problems(DEPLOYMENT.formatted("imagePullPolicy: IfNotPresent"))).isEmpty();
  }

  @Test
  void aMisspelledFieldIsReportedWithItsPath() {
    assertThat(problems(DEPLOYMENT.formatted("imagePulPolicy: IfNotPresent")))
        .singleElement().asString()
        .contains("unknown field spec.template.spec.containers[0].imagePulPolicy");
  }

  @Test
  void aQuotedNumberWhereAnIntegerBelongsFails() {
    assertThat(problems(DEPLOYMENT.formatted("ports: [{containerPort: \"8080\"}]")))
        .singleElement().asString().contains("does not match the Kubernetes schema");
  }

  @Test
  void anUnquotedNumberWhereAStringBelongsFails() {
    // kubectl refuses `value: 8080` in an env var: the field is a string.
    assertThat(problems(DEPLOYMENT.formatted("env: [{name: PORT, value: 8080}]")))
        .singleElement().asString().contains("does not match the Kubernetes schema");
  }

  @Test
  void aDeprecatedApiVersionIsRefused() {
    assertThat(problems("""
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata:
          name: h
        """)).singleElement().asString().contains("is not one this project deploys");
  }

  @Test
  void duplicateKeysAreRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Yaml.documents("""
            a: 1
            a: 2
            """, "dup"))
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void aScaledObjectWithAnUnknownFieldOrANumericParameterFails() {
    Map<String, Object> raw = Yaml.documents("""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: s
        spec:
          scaleTargetRef:
            name: sinks
          maxReplicas: 3
          triggers:
            - type: kafka
              metadata:
                bootstrapServers: kafka:9092
                consumerGroup: g
                lagThreshold: 10
        """, "so").get(0);
    assertThat(Typed.parse(raw, "so").problems()).singleElement().asString()
        .contains("does not match KEDA's ScaledObject schema");
  }

  @Test
  void aScaledObjectWithAnUnknownScalerParameterFails() {
    Map<String, Object> raw = Yaml.documents("""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: s
        spec:
          scaleTargetRef:
            name: sinks
          triggers:
            - type: kafka
              metadata:
                bootstrapServer: kafka:9092
                consumerGroup: g
                lagThreshold: "10"
        """, "so").get(0);
    assertThat(Typed.parse(raw, "so").problems())
        .anySatisfy(p -> assertThat(p).contains("unknown kafka scaler parameter bootstrapServer"))
        .anySatisfy(p -> assertThat(p).contains("bootstrapServers is required"));
  }
}
