import Foundation
import Shared
import Testing

@testable import Edge

struct OpenStreamJournalTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "goosey-journal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func whatWasNotCrossedOutComesBackAfterARestartAndOnlyThat() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (journal, orphans) = try await OpenStreamJournal.recover(in: directory)
        #expect(orphans.isEmpty)
        var cut = SpoolLineTests.record("cut")
        cut.receivedAtMillis = 2
        try await journal.opened(SpoolLineTests.record("done"), encoder: JSONEncoder())
        try await journal.opened(cut, encoder: JSONEncoder())
        try await journal.opened(SpoolLineTests.record("also-cut"), encoder: JSONEncoder())
        try await journal.closed("done")
        try await journal.closed("never-opened")

        // The edge dies here; the next run finds the two streams it was relaying, oldest first.
        var (restarted, recovered) = try await OpenStreamJournal.recover(in: directory)
        #expect(recovered.map(\.id) == ["also-cut", "cut"])
        #expect(recovered.last == cut)

        // They stay journaled until their records are spooled: a second crash first still finds them.
        try await restarted.closed("also-cut")
        let (_, again) = try await OpenStreamJournal.recover(in: directory)
        #expect(again.map(\.id) == ["cut"])
    }

    @Test func aLineTornByTheCrashIsLeftOut() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (journal, _) = try await OpenStreamJournal.recover(in: directory)
        try await journal.opened(SpoolLineTests.record("whole"), encoder: JSONEncoder())
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + OpenStreamJournal.fileName))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"+{"id":"torn","upstr"#.utf8))
        try handle.close()
        let (_, recovered) = try await OpenStreamJournal.recover(in: directory)
        #expect(recovered.map(\.id) == ["whole"])
    }

    @Test func theFileKeepsOnlyTheOpenStreamsOnceMostAreCrossedOut() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (journal, _) = try await OpenStreamJournal.recover(in: directory)
        try await journal.opened(SpoolLineTests.record("long-stream"), encoder: JSONEncoder())
        for index in 0..<5_000 {
            try await journal.opened(SpoolLineTests.record("r\(index)"), encoder: JSONEncoder())
            try await journal.closed("r\(index)")
        }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: directory + "/" + OpenStreamJournal.fileName)[.size] as? Int)
        #expect(size < 1 << 20 + 4_096, "rewritten once past 1 MB of mostly crossed-out lines")
        let (_, recovered) = try await OpenStreamJournal.recover(in: directory)
        #expect(recovered.map(\.id) == ["long-stream"])
    }
}
