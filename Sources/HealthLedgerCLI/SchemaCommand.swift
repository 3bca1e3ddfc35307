import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerImport

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Write the JSON Schema of every event type and the columns of every import format (what schemas/ holds) to a folder."
    )

    @Option(help: "The folder to write into.")
    var out = "schemas"

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for file in JSONSchemaRendering.files {
            try Data(file.json.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(file.name))
        }
        try Data(ImportFormatDocument.markdown.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(ImportFormatDocument.fileName))
        print("wrote \(JSONSchemaRendering.files.count) schemas and \(ImportFormatDocument.fileName) to \(out)")
    }
}
