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
import dev.proxystage.spi.StageRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dependency rules of the library, checked on its compiled classes. */
class ArchitectureTest {

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.proxystage");

    /** The published packages: what users import. */
    private static final String[] API = {"dev.proxystage", "dev.proxystage.hardening"};

    /** The service provider interfaces: how the API finds the runtime, and what the runtime implements. */
    private static final String SPI = "dev.proxystage.spi";

    @Test
    void theApiAndTheSpiImportNoImplementationPackage() {
        noClasses().that().resideInAnyPackage(API).or().resideInAPackage(SPI)
                .should().dependOnClassesThat().resideInAPackage("dev.proxystage.internal..")
                .because("users compile against the API only; the runtime is found with ServiceLoader through the SPI")
                .check(LIBRARY);
    }

    @Test
    void theSpiSpeaksOnlyTheApi() {
        classes().that().resideInAPackage(SPI)
                .should().onlyDependOnClassesThat().resideInAnyPackage(SPI, API[0], API[1], "java..")
                .because("the SPI hands the API's own values (Settings, Stage, LogMark) between the API and the runtime")
                .check(LIBRARY);
    }

    @Test
    void onlyTheSpiUsesTheServiceLoader() {
        noClasses().that().resideOutsideOfPackage(SPI)
                .should().dependOnClassesThat().haveFullyQualifiedName("java.util.ServiceLoader")
                .because("every type ServiceLoader finds is an SPI type, and finds its implementation itself (get())")
                .check(LIBRARY);
    }

    /** The runtime's packages form no cycles among themselves. */
    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.proxystage.internal.(*)..").should().beFreeOfCycles().check(LIBRARY);
    }

    @Test
    void theApiReachesOnlyTheSpi() {
        noClasses().that().resideInAPackage("dev.proxystage")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.proxystage.(*)..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(SPI))))
                .because("the root package stands on nothing of ours but the SPI it finds the runtime with")
                .check(LIBRARY);
    }

    /** The entry points that find the runtime through the SPI: the JUnit glue, ProxyStage and the route-table contract. */
    private static final DescribedPredicate<JavaClass> ENTRY_POINTS = rootTypes("the entry points",
            "ProxyStageExtension", "ForEachStageExtension", "StageCallbacks", "StageAccess", "ProxyStage", "RouteTableContract");

    /**
     * The SPI stands on the API's values, never the other way round: of the API only the entry points look the
     * runtime up, and the stage, its client and the hardening package reach it through the objects they are handed
     * (the client's {@code StageClient.Traces}, the stage's {@code HardeningProbes.Target}).
     */
    @Test
    void onlyTheEntryPointsReachTheSpi() {
        noClasses().that().resideInAnyPackage(API).and(DescribedPredicate.not(ENTRY_POINTS))
                .should().dependOnClassesThat().resideInAPackage(SPI)
                .because("the SPI depends on the API's values; a value that names the SPI makes the two a circle")
                .check(LIBRARY);
        classes().that().resideInAPackage(SPI)
                .should().onlyDependOnClassesThat(DescribedPredicate.not(ENTRY_POINTS))
                .because("the SPI hands values between the entry points and the runtime and calls neither back")
                .check(LIBRARY);
        slices().matching("dev.proxystage.(*)..").should().beFreeOfCycles()
                .because("hardening, spi and internal stand in one order: internal on spi, spi on hardening")
                .check(LIBRARY);
    }

    /** The JUnit glue: the two extensions, their shared callbacks and store access, and the annotations. */
    private static final DescribedPredicate<JavaClass> GLUE = rootTypes("the JUnit glue",
            "ProxyStageExtension", "ForEachStageExtension", "StageCallbacks", "StageAccess", "PipelineStage", "ForEachStage");

    /** The root package's types of these simple names, with their nested types. */
    private static DescribedPredicate<JavaClass> rootTypes(String description, String... names) {
        return DescribedPredicate.describe(description, c -> c.getPackageName().equals("dev.proxystage")
                && List.of(names).contains(c.getName().substring("dev.proxystage.".length()).split("\\$")[0]));
    }

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
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.proxystage", SPI, "java..", "org.junit..", "okhttp3..")
                .because("the glue hands JUnit's callbacks to the run (spi.StageRun) and adds no logic of its own")
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
