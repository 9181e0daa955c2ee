package org.vqsim.engine.dma;

import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.memory.GuestMemory;

/** What a strategy is built with: where it charges, what it costs, the memory it maps. */
public record DmaContext(CycleLedger ledger, CostProfile profile, GuestMemory memory) {}
