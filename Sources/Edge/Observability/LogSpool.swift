import Foundation
import Logging
import LoopBoundServer
import NIOCore
import NIOPosix
import ServiceLifecycle
import Shared
import Synchronization

/// Appends every request record to a local spool, off the request path, and has a `SpoolShipper` send
/// closed segments to the coordinator, deleting each only once the coordinator has committed it.
///
/// A segment closes at 1 MB or one second after its first record, so records reach the coordinator
/// within a few seconds. While the coordinator is away the spool grows up to `maxBytes`; past that,
/// records are dropped, counted and logged, and the request path never waits. A restarted edge ships
/// what the spool held, and the records of the streams it was relaying when it died (`OpenStreamJournal`).
final class LogSpool: Service, Sendable {
    struct Configuration: Sendable {
        var directory: String
        var maxBytes: Int = 1 << 30
        var segmentBytes: Int = 1 << 20
        var segmentAge: Duration = .seconds(1)
        /// How long an edge shutting down keeps shipping its spool before it exits anyway.
        var drainLimit: Duration = .seconds(30)
    }

    private enum Entry: Sendable {
        case record(RequestRecord, requestBody: ByteBuffer?, response: ByteBuffer?)
        case opened(RequestRecord)
        case tick
    }

    private let configuration: Configuration
    private let segments: SpoolSegments
    private let shipper: SpoolShipper?
    private let logger: Logger
    private let stream: AsyncStream<Entry>
    private let continuation: AsyncStream<Entry>.Continuation
    /// Bytes on disk, shared by the writer (adds) and the shipper (subtracts).
    private let spooledBytes = Atomic<Int>(0)
    /// The spool's own thread: encoding and writing records (milliseconds for a long conversation's body) never
    /// delay the event loops that relay answers; the shipper compacts on `BackgroundWork`'s thread.
    private let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(_ configuration: Configuration, shipper: SpoolShipper?, logger: Logger) {
        self.configuration = configuration
        self.segments = SpoolSegments(directory: configuration.directory)
        self.shipper = shipper
        self.logger = logger
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Entry.self)
    }

    /// Spools `record` with the request body (valid JSON, kept verbatim) and the answer as relayed.
    func append(_ record: RequestRecord, requestBody: ByteBuffer?, response: ByteBuffer?) {
        self.continuation.yield(.record(record, requestBody: requestBody, response: response))
    }

    /// Notes that an answer has begun: `record` is what stands for it if this edge dies before `append`.
    func opened(_ record: RequestRecord) {
        self.continuation.yield(.opened(record))
    }

    func run() async throws {
        do {
            try await withTaskExecutorPreference(EventLoopExecutor(self.thread.next())) {
                try await self.spool()
            }
        } catch {
            try? await self.thread.shutdownGracefully()
            throw error
        }
        try? await self.thread.shutdownGracefully()
    }

    private func spool() async throws {
        var nextSequence = try self.segments.prepare()
        var (journal, orphans) = try await OpenStreamJournal.recover(in: self.configuration.directory)
        if !orphans.isEmpty {
            self.logger.warning("spooling the records of streams cut when this edge last stopped", metadata: ["goosey.streams": "\(orphans.count)"])
        }
        for orphan in orphans { self.append(orphan, requestBody: nil, response: nil) }
        self.spooledBytes.store(try self.segments.totalBytes(), ordering: .relaxed)
        EdgeMetrics.spoolBytes(self.spooledBytes.load(ordering: .relaxed))
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            if let shipper = self.shipper {
                group.addTask { await shipper.run(self.segments, spooledBytes: self.spooledBytes, logger: self.logger) }
            }
            await withGracefulShutdownHandler {
                await self.write(startingAt: &nextSequence, journal: &journal)
            } onGracefulShutdown: {
                self.continuation.finish()
            }
            group.cancelAll()
        }
        // Shut down gracefully (the server has drained, every record is written): an edge that is scaled
        // down will not start again on this spool, so what it holds goes now.
        if let shipper = self.shipper {
            await shipper.drain(self.segments, spooledBytes: self.spooledBytes, logger: self.logger, within: self.configuration.drainLimit)
        }
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            self.continuation.yield(.tick)
        }
    }

    private func write(startingAt nextSequence: inout Int, journal: inout OpenStreamJournal) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var current: OpenSegment?
        for await entry in self.stream {
            switch entry {
            case .opened(let record):
                do {
                    try await journal.opened(record, encoder: encoder)
                } catch {
                    self.logger.error("open stream not journaled", metadata: ["goosey.error": "\(error)"])
                }
            case .record(let record, let requestBody, let response):
                guard var line = try? SpoolLine.encode(record, requestBody: requestBody, response: response, encoder: encoder) else { break }
                line.append(0x0A)
                if self.spooledBytes.load(ordering: .relaxed) + line.count <= self.configuration.maxBytes {
                    do {
                        try await self.writeLine(line, to: &current, nextSequence: &nextSequence)
                    } catch {
                        self.logger.error("request record not spooled", metadata: ["goosey.error": "\(error)"])
                    }
                } else {
                    EdgeMetrics.spoolDropped()
                    self.logger.error("log spool full, request record dropped", metadata: ["goosey.request.id": "\(record.id)"])
                }
                do {
                    try await journal.closed(record.id)
                } catch {
                    // At worst a restarted edge spools this stream's record again, which the coordinator stores once.
                    self.logger.error("spooled stream not crossed out of the journal", metadata: ["goosey.error": "\(error)"])
                }
            case .tick:
                break
            }
            if let open = current, open.bytes >= self.configuration.segmentBytes || open.opened.duration(to: .now) >= self.configuration.segmentAge {
                self.close(open.sequence, open.handle)
                current = nil
            }
        }
        if let open = current { self.close(open.sequence, open.handle) }
    }

    private typealias OpenSegment = (sequence: Int, handle: FileHandle, bytes: Int, opened: ContinuousClock.Instant)

    /// Appends `line` to the open segment, opening the next one first if none is.
    private func writeLine(_ line: Data, to current: inout OpenSegment?, nextSequence: inout Int) async throws {
        if current == nil {
            current = (nextSequence, try self.create(nextSequence), 0, .now)
            nextSequence += 1
        }
        let handle = current!.handle
        let goodLength = UInt64(current!.bytes)
        try await NIOThreadPool.singleton.runIfActive {
            do {
                try handle.write(contentsOf: line)
            } catch {
                // A line half written (a full disk) would corrupt the next one: cut it off.
                try? handle.truncate(atOffset: goodLength)
                throw error
            }
        }
        current!.bytes += line.count
        EdgeMetrics.spoolBytes(self.spooledBytes.add(line.count, ordering: .relaxed).newValue)
    }

    private func create(_ sequence: Int) throws -> FileHandle {
        let path = self.segments.path(sequence, open: true)
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        return handle
    }

    private func close(_ sequence: Int, _ handle: FileHandle) {
        try? handle.close()
        do {
            try FileManager.default.moveItem(atPath: self.segments.path(sequence, open: true), toPath: self.segments.path(sequence, open: false))
        } catch {
            self.logger.error("spool segment not closed", metadata: ["goosey.error": "\(error)"])
        }
    }
}
