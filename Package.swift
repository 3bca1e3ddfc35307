// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "HealthLedger",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "healthledger", targets: ["healthledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Pure core: events, decoding, validation. No I/O, no SQLite.
        .target(name: "HealthLedgerCore"),
        // Converters from report files (Amazon's, and generic CSV exports) to contract events,
        // and the reading of Amazon's own performance report. Pure: bytes in, events out.
        .target(name: "HealthLedgerImport", dependencies: ["HealthLedgerCore"]),
        // Seeded generator of realistic events for the sample, tests and benchmarks.
        .target(name: "HealthLedgerSimulation", dependencies: ["HealthLedgerCore"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Store: the append-only event log on SQLite.
        .target(
            name: "HealthLedgerStore",
            dependencies: [
                "HealthLedgerCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Interfaces: the command line.
        .target(
            name: "HealthLedgerCLI",
            dependencies: [
                "HealthLedgerCore",
                "HealthLedgerStore",
                "HealthLedgerSimulation",
                "HealthLedgerImport",
                "CZlib",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // jemalloc in place of glibc's malloc: a replay or an ingest allocates on some threads
        // and frees on others, which glibc serves slowly (ops/BENCHMARKS.md, 2026-12-02).
        .executableTarget(name: "healthledger", dependencies: ["HealthLedgerCLI"],
                          linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),
        // Benchmarks (ops/bench-*): timed against plain SQLite in the same run.
        .executableTarget(
            name: "HealthLedgerBenchmarks",
            dependencies: [
                "HealthLedgerCore",
                "HealthLedgerSimulation",
                "HealthLedgerStore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "HealthLedgerCoreTests", dependencies: ["HealthLedgerCore", "HealthLedgerSimulation"]),
        .testTarget(name: "HealthLedgerStoreTests", dependencies: ["HealthLedgerStore", "HealthLedgerSimulation"]),
        .testTarget(name: "HealthLedgerImportTests", dependencies: ["HealthLedgerImport", "HealthLedgerCore"]),
        .testTarget(name: "HealthLedgerCLITests", dependencies: ["HealthLedgerCLI", "HealthLedgerSimulation"]),
    ]
)
