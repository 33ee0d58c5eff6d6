package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One rendered deployment (an overlay, possibly with components): the raw documents, their typed
 * forms, and what went wrong while parsing them. Wiring checks run on this.
 *
 * @param name            for messages, e.g. "overlays/local"
 * @param externalSecrets Secrets the deployment expects to exist already (created out of band)
 */
record Rendered(String name, List<Typed.Parsed> documents, Set<String> externalSecrets) {

  static Rendered of(String name, List<Map<String, Object>> docs, Set<String> externalSecrets) {
    List<Typed.Parsed> parsed = new ArrayList<>();
    for (Map<String, Object> doc : docs) {
      parsed.add(Typed.parse(doc, name + ":"));
    }
    return new Rendered(name, List.copyOf(parsed), Set.copyOf(externalSecrets));
  }

  /** Renders an overlay directory under manifests/. */
  static Rendered overlay(String relative, Set<String> externalSecrets) {
    Path dir = Repo.manifests().resolve(relative);
    return of(relative, Kustomize.build(dir), externalSecrets);
  }

  List<String> parseProblems() {
    return documents.stream().flatMap(d -> d.problems().stream()).toList();
  }

  List<HasMetadata> typed() {
    return documents.stream().map(Typed.Parsed::typed).filter(t -> t != null).toList();
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return typed().stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  List<Map<String, Object>> raw(String kind) {
    return documents.stream().map(Typed.Parsed::raw).filter(r -> kind.equals(r.get("kind"))).toList();
  }

  Optional<Service> service(String name) {
    return find(Service.class, name);
  }

  Optional<Secret> secret(String name) {
    return find(Secret.class, name);
  }

  Optional<ConfigMap> configMap(String name) {
    return find(ConfigMap.class, name);
  }

  /** A workload's pod template with who owns it. */
  record Workload(HasMetadata owner, PodTemplateSpec template) {

    String kind() {
      return owner.getKind();
    }

    String name() {
      return owner.getMetadata().getName();
    }

    Map<String, String> podLabels() {
      return template.getMetadata() == null || template.getMetadata().getLabels() == null
          ? Map.of() : template.getMetadata().getLabels();
    }

    List<Container> containers() {
      return template.getSpec().getContainers();
    }

    /** Long-running: gets probes, unlike a Job's run-to-completion pod. */
    boolean longRunning() {
      return !(owner instanceof Job);
    }

    @Override
    public String toString() {
      return kind() + "/" + name();
    }
  }

  List<Workload> workloads() {
    List<Workload> workloads = new ArrayList<>();
    for (HasMetadata o : typed()) {
      if (o instanceof Deployment d && d.getSpec() != null && d.getSpec().getTemplate() != null) {
        workloads.add(new Workload(d, d.getSpec().getTemplate()));
      } else if (o instanceof StatefulSet s && s.getSpec() != null && s.getSpec().getTemplate() != null) {
        workloads.add(new Workload(s, s.getSpec().getTemplate()));
      } else if (o instanceof Job j && j.getSpec() != null && j.getSpec().getTemplate() != null) {
        workloads.add(new Workload(j, j.getSpec().getTemplate()));
      }
    }
    return workloads;
  }

  Optional<Workload> workload(String name) {
    return workloads().stream().filter(w -> w.name().equals(name)).findFirst();
  }

  /** Every pod template a selector picks. */
  List<Workload> selected(Map<String, String> serviceSelector) {
    return workloads().stream().filter(w -> LabelSelectors.matches(serviceSelector, w.podLabels())).toList();
  }
}
