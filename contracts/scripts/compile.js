#!/usr/bin/env node
// Compiles contracts/src/*.sol with the solc pinned in package.json, through solc's
// standard JSON interface with fixed settings, so that the same sources always give
// byte-identical artifacts. Writes contracts/build/<Name>.json and copies them into
// ledger/anchoring/compiled/ so the installed Python package carries its own ABI.
//
//   node scripts/compile.js          write the artifacts
//   node scripts/compile.js --check  compile in memory; exit 1 if any committed
//                                    artifact differs from what the sources produce
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "src");
const OUTPUTS = [path.join(ROOT, "build"), path.join(ROOT, "..", "ledger", "anchoring", "compiled")];

// Fixed on purpose: changing any of these changes the bytecode. "cancun" is the newest
// fork that both anvil and py-evm (behind web3's EthereumTesterProvider) execute.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  metadata: { bytecodeHash: "ipfs" },
  outputSelection: {
    "*": {
      "*": [
        "abi",
        "metadata",
        "devdoc",
        "userdoc",
        "evm.bytecode.object",
        "evm.deployedBytecode.object",
        "evm.methodIdentifiers",
      ],
    },
  },
};

function pinnedVersion() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  return manifest.devDependencies.solc;
}

function sources() {
  const out = {};
  for (const name of fs.readdirSync(SRC).filter((f) => f.endsWith(".sol")).sort()) {
    // Relative keys keep absolute paths (and so the machine) out of the metadata hash.
    out[`src/${name}`] = { content: fs.readFileSync(path.join(SRC, name), "utf8") };
  }
  return out;
}

function compile() {
  const version = solc.version();
  const pinned = pinnedVersion();
  if (!version.startsWith(`${pinned}+`)) {
    throw new Error(`solc ${version} is installed but package.json pins ${pinned}; run npm ci`);
  }
  const input = { language: "Solidity", sources: sources(), settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const diagnostics = output.errors || [];
  for (const d of diagnostics) process.stderr.write(d.formattedMessage);
  if (diagnostics.some((d) => d.severity === "error")) throw new Error("compilation failed");
  if (diagnostics.length > 0) throw new Error("compiler warnings are not accepted");

  const artifacts = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    for (const [contractName, c] of Object.entries(contracts)) {
      artifacts[`${contractName}.json`] = `${JSON.stringify(
        {
          contractName,
          sourceName,
          compiler: { name: "solc", version, settings: SETTINGS },
          abi: c.abi,
          bytecode: `0x${c.evm.bytecode.object}`,
          deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
          methodIdentifiers: c.evm.methodIdentifiers,
          devdoc: c.devdoc,
          userdoc: c.userdoc,
          metadata: c.metadata,
        },
        null,
        2,
      )}\n`;
    }
  }
  return artifacts;
}

function check(artifacts) {
  const problems = [];
  for (const dir of OUTPUTS) {
    const rel = path.relative(path.join(ROOT, ".."), dir);
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    for (const name of Object.keys(artifacts)) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) problems.push(`${rel}/${name} is missing`);
      else if (fs.readFileSync(file, "utf8") !== artifacts[name]) {
        problems.push(`${rel}/${name} differs from what the sources compile to`);
      }
    }
    for (const name of present) {
      if (!(name in artifacts)) problems.push(`${rel}/${name} has no source any more`);
    }
  }
  return problems;
}

function main() {
  const artifacts = compile();
  if (process.argv.includes("--check")) {
    const problems = check(artifacts);
    for (const p of problems) process.stderr.write(`${p}\n`);
    if (problems.length > 0) {
      process.stderr.write("artifacts are stale: run `node contracts/scripts/compile.js`\n");
      process.exit(1);
    }
    process.stdout.write(`${Object.keys(artifacts).length} artifacts match the sources\n`);
    return;
  }
  for (const dir of OUTPUTS) {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(artifacts)) fs.writeFileSync(path.join(dir, name), text);
  }
  process.stdout.write(`wrote ${Object.keys(artifacts).join(", ")}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
