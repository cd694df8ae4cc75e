package dev.proxystage.example;

import dev.proxystage.PipelineStage;

/** The prep stage routes vw.example.com to prep's own Vaultwarden. */
@PipelineStage("prep")
class PrepRoutingIT extends VaultwardenRoutingContract {
}
