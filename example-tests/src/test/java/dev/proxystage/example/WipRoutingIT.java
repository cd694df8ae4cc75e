package dev.proxystage.example;

import dev.proxystage.PipelineStage;

/** The wip stage routes vw.example.com to wip's own Vaultwarden, never to prep's. */
@PipelineStage("wip")
class WipRoutingIT extends VaultwardenRoutingContract {
}
