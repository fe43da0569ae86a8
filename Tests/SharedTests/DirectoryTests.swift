import Foundation
import Logging
import Testing

@testable import Shared

@Suite struct DirectoryTests {
    let directory: Directory

    init() throws {
        let url = ProcessInfo.processInfo.environment["GOOSEY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16379"
        self.directory = Directory(pool: RedisPool(.init(endpoint: try RedisEndpoint(url: url)), logger: Logger(label: "test")))
    }

    @Test func aKeyCanBeSuspendedAndReinstatedButARevocationIsFinal() async throws {
        let key = VirtualKey.generate()
        let student = StudentRef(course: "D-\(UInt32.random(in: 0...UInt32.max))", student: "s1")
        try await self.directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .active, keyID: key.keyID))
        try await self.directory.setKeyState(sha256Hex: key.sha256Hex, .suspended)
        #expect(try await self.directory.key(sha256Hex: key.sha256Hex)?.state == .suspended)
        try await self.directory.setKeyState(sha256Hex: key.sha256Hex, .active)
        try await self.directory.setKeyState(sha256Hex: key.sha256Hex, .revoked)
        await #expect(throws: Directory.DirectoryError.revokedIsFinal) {
            try await self.directory.setKeyState(sha256Hex: key.sha256Hex, .active)
        }
        let record = try #require(try await self.directory.key(sha256Hex: key.sha256Hex))
        #expect(record == KeyRecord(student: student, state: .revoked, keyID: key.keyID))
        await #expect(throws: Directory.DirectoryError.unknownKey) {
            try await self.directory.setKeyState(sha256Hex: VirtualKey.generate().sha256Hex, .suspended)
        }
    }

    @Test func idsThatWouldBreakTheHashTagAreRefused() async throws {
        let record = KeyRecord(student: StudentRef(course: "C{x}", student: "s"), state: .active, keyID: "k")
        await #expect(throws: Directory.DirectoryError.self) {
            try await self.directory.issueKey(sha256Hex: "0", record: record)
        }
    }
}
