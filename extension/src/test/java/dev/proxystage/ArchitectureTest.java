package dev.proxystage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dependency rules of the library, checked on its compiled classes. */
class ArchitectureTest {

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.proxystage");

    /** The published packages: what users import. */
    private static final String[] API = {"dev.proxystage", "dev.proxystage.hardening"};

    @Test
    void theApiImportsNoImplementationPackage() {
        noClasses().that().resideInAnyPackage(API)
                .should().dependOnClassesThat().resideInAPackage("dev.proxystage.internal..")
                .because("users compile against the API only; the runtime is found with ServiceLoader")
                .check(LIBRARY);
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.proxystage.(**)").should().beFreeOfCycles().check(LIBRARY);
        slices().matching("dev.(proxystage)").should().beFreeOfCycles().check(LIBRARY);
    }

    @Test
    void theRootPackageDependsOnNoOtherPackageOfOurs() {
        noClasses().that().resideInAPackage("dev.proxystage")
                .should().dependOnClassesThat().resideInAPackage("dev.proxystage.(*)..")
                .check(LIBRARY);
    }

    /** The JUnit glue: the two extensions, their shared callbacks and store access, and the annotations. */
    private static final DescribedPredicate<JavaClass> GLUE = DescribedPredicate.describe("the JUnit glue",
            c -> c.getPackageName().equals("dev.proxystage") && List.of("ProxyStageExtension", "ForEachStageExtension",
                    "StageCallbacks", "StageAccess", "PipelineStage", "ForEachStage").contains(c.getName()
                    .substring("dev.proxystage.".length()).split("\\$")[0]));

    @Test
    void onlyTheGlueKnowsJUnitsExtensionModel() {
        noClasses().that(DescribedPredicate.not(GLUE))
                .should().dependOnClassesThat().resideInAPackage("org.junit.jupiter.api.extension..")
                .check(LIBRARY);
        noClasses().that().resideInAPackage("dev.proxystage.internal..")
                .should().dependOnClassesThat().resideInAPackage("org.junit..")
                .because("the runtime works without JUnit (ProxyStage.pipeline(...).start())")
                .check(LIBRARY);
    }

    @Test
    void theGlueOnlyAdapts() {
        classes().that(GLUE)
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.proxystage", "java..", "org.junit..", "okhttp3..")
                .because("the glue hands JUnit's callbacks to the run (StageRun) and adds no logic of its own")
                .check(LIBRARY);
    }

    @Test
    void theEngineSeamIsTheOnlyWayToDocker() {
        noClasses().that().resideOutsideOfPackage("dev.proxystage.internal.docker..")
                .should().dependOnClassesThat().resideInAnyPackage("org.testcontainers..", "com.github.dockerjava..")
                .because("everything engine-specific sits behind internal.engine.Engine")
                .check(LIBRARY);
    }

    /**
     * Testcontainers is used through its public API only: nothing opens its private state (the engine's address,
     * its strategy, Ryuk) by reflection. Reflection that could reach private members is refused in every class.
     */
    @Test
    void nothingReachesIntoPrivateStateByReflection() {
        noClasses()
                .should().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("setAccessible")))
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.nameMatching("getDeclaredFields?")))
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("trySetAccessible")))
                .because("Testcontainers' private fields are not an API: the engine's endpoint is ProxyStage's own value,"
                        + " and its containers are made with the engine's client")
                .check(LIBRARY);
    }
}
