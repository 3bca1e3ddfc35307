import ArgumentParser
import Foundation
import HealthLedgerCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Write the JSON Schema of every event type (what schemas/ holds) to a folder."
    )

    @Option(help: "The folder to write into.")
    var out = "schemas"

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for file in JSONSchemaRendering.files {
            try Data(file.json.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(file.name))
        }
        print("wrote \(JSONSchemaRendering.files.count) schemas to \(out)")
    }
}
