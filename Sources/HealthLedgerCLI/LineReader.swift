import CZlib
import Foundation
import HealthLedgerCore

/// Where input bytes come from: a file descriptor, optionally through gzip.
protocol ByteSource {
    /// Fills `buffer` from its start; 0 means the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

public struct InputError: Error, CustomStringConvertible {
    public let description: String
}

struct FileDescriptorSource: ByteSource {
    let descriptor: Int32
    let name: String

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw InputError(description: "cannot read \(name): \(String(cString: strerror(errno)))") }
        }
    }
}

/// Inflates gzip input, concatenated members included.
final class GzipSource: ByteSource {
    private var upstream: any ByteSource
    private let name: String
    private var stream = z_stream()
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    private var inputEnded = false

    init(_ upstream: any ByteSource, name: String) throws(InputError) {
        self.upstream = upstream
        self.name = name
        // 15 + 32: the largest window, with gzip (or zlib) header detection.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputError(description: "cannot start gzip decompression for \(name)")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            if stream.avail_in == 0 {
                if inputEnded { return 0 }
                let count = try upstream.read(into: input)
                inputEnded = count == 0
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_in = UInt32(count)
                if inputEnded { return 0 }
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(buffer.count)
            switch inflate(&stream, Z_NO_FLUSH) {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: inflateReset(&stream)
            default: throw InputError(description: "\(name) is not valid gzip data")
            }
            let produced = buffer.count - Int(stream.avail_out)
            if produced > 0 { return produced }
        }
    }
}

/// A physical line of input: its bytes without the line ending, or the fact that it was
/// longer than `EventDecoder.maximumLineBytes` (it is skipped, never held in memory).
enum InputLine {
    case bytes(UnsafeRawBufferPointer)
    case tooLong
}

/// Splits a byte source into lines, LF or CRLF, counting physical lines from 1.
struct LineReader {
    private var source: any ByteSource
    private let limit: Int

    init(_ source: any ByteSource, limit: Int = EventDecoder.maximumLineBytes) {
        self.source = source
        self.limit = limit
    }

    mutating func forEachLine(_ body: (Int, InputLine) throws -> Void) throws {
        let capacity = max(limit + 2, 1 << 20)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        var start = 0, end = 0, lineNumber = 0
        var discarding = false
        func emit(_ lineStart: Int, _ lineEnd: Int) throws {
            lineNumber += 1
            if discarding {
                discarding = false
                try body(lineNumber, .tooLong)
                return
            }
            var stop = lineEnd
            if stop > lineStart, buffer[stop - 1] == 0x0D { stop -= 1 }
            try body(lineNumber, stop - lineStart > limit ? .tooLong : .bytes(UnsafeRawBufferPointer(rebasing: buffer[lineStart..<stop])))
        }
        while true {
            if start > 0, start == end { start = 0; end = 0 }
            if end == capacity {
                if start > 0 {
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                    end -= start
                    start = 0
                } else {
                    // A line longer than the limit: drop what we have, remember to reject it.
                    discarding = true
                    end = 0
                }
            }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if count == 0 { break }
            var scan = end
            end += count
            while let newline = UnsafeRawBufferPointer(rebasing: buffer[scan..<end]).firstIndex(of: 0x0A) {
                let lineEnd = scan + newline
                try emit(start, lineEnd)
                start = lineEnd + 1
                scan = start
            }
        }
        if end > start || discarding { try emit(start, end) }
    }
}

enum InputFile {
    /// Opens a path (or `-` for standard input), inflating it when it starts with gzip's magic bytes.
    static func open(_ path: String) throws(InputError) -> (any ByteSource, close: () -> Void) {
        let descriptor: Int32 = path == "-" ? STDIN_FILENO : Foundation.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let name = path == "-" ? "standard input" : path
        let raw = PeekingSource(FileDescriptorSource(descriptor: descriptor, name: name))
        let close = { if descriptor != STDIN_FILENO { _ = Foundation.close(descriptor) } }
        guard try raw.startsWith([0x1F, 0x8B]) else { return (raw, close) }
        return (try GzipSource(raw, name: name), close)
    }
}

/// Lets the first bytes be looked at before they are read.
final class PeekingSource: ByteSource {
    private var upstream: FileDescriptorSource
    private var peeked: [UInt8] = []

    init(_ upstream: FileDescriptorSource) { self.upstream = upstream }

    func startsWith(_ prefix: [UInt8]) throws(InputError) -> Bool {
        var byte: UInt8 = 0
        while peeked.count < prefix.count {
            let count = try withUnsafeMutableBytes(of: &byte) { bytes throws(InputError) in try upstream.read(into: bytes) }
            if count == 0 { break }
            peeked.append(byte)
        }
        return peeked == prefix
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard peeked.isEmpty else {
            let count = min(peeked.count, buffer.count)
            buffer.copyBytes(from: peeked.prefix(count))
            peeked.removeFirst(count)
            return count
        }
        return try upstream.read(into: buffer)
    }
}
