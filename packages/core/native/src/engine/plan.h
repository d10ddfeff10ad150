#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/graph.h"

namespace kiln {

// The .kiln plan file, little-endian:
//   header (64 bytes): "KILN", format version u32, header size u32, ISA u32, threads u32,
//     section count u32, file size u64, checksum u64 (FNV-1a over every byte after the header),
//     Kiln version (24 bytes, NUL-padded)
//   section table: per section {id u32, reserved u32, offset u64, size u64}
//   sections: graph, weights (each constant 64-byte aligned), tactics, user metadata
constexpr uint32_t kPlanFormatVersion = 2;

struct PlanHeader {
  uint32_t formatVersion = 0;
  std::string kilnVersion;
  Isa isa = Isa::Scalar;
  int threads = 0;
};

struct LoadedPlan {
  PlanHeader header;
  GraphDesc graph;
  std::vector<int> tactics;
  std::string userMetadata;
};

std::vector<uint8_t> serializePlan(const Engine& engine, const std::string& kilnVersion);

// Validates the header and checksum only (no graph decoding). Throws kiln::Error KILN_PLAN_*.
PlanHeader readPlanHeader(const uint8_t* data, size_t size);

// Validates everything and decodes the plan. Throws kiln::Error KILN_PLAN_*.
LoadedPlan readPlan(const uint8_t* data, size_t size);

}  // namespace kiln
