import Foundation

/// Files of the repository the tests read (`replay/`, `schemas/`, `ops/`).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// The physical lines of a file, without their line endings.
    static func lines(_ path: String) throws -> [[UInt8]] {
        var lines = try Data(contentsOf: url(path)).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Array(line.last == 0x0D ? line.dropLast() : line)
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}
