package dev.proxystage.example;

// tag::routes-contract[]
import dev.proxystage.ForEachStage;
import dev.proxystage.RouteTableContract;

/** Every route of routes.yml (beside pipeline.yml), in every test stage: one dynamic test per route. */
@ForEachStage({"wip", "prep", "ship"})
class RoutesIT extends RouteTableContract {
}
// end::routes-contract[]
