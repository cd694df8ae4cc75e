package dev.proxystage.example;

// tag::plain-main[]
import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import java.nio.file.Path;

public class PrepUp {
    public static void main(String[] args) {
        try (Stage prep = ProxyStage.pipeline(Path.of("pipeline.yml")).profile("offline").stage("prep").start()) {
            System.out.println(prep.client().get("https://vw.example.com/").status());
        }
    }
}
// end::plain-main[]
