import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The admin API as the staff command line calls it: JSON in and out, each failure turned into a sentence
/// that says what to do.
struct StaffClient: Sendable {
    let baseURL: String
    let token: String

    /// Gives up on an unreachable coordinator after a few seconds (the shared client would keep retrying the
    /// connection until the request's own deadline). Lives as long as the command.
    static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(300)))
    )

    func get(_ path: String) async throws -> Any {
        try await self.send(.GET, path, body: nil)
    }

    func post(_ path: String, _ body: [String: Any]) async throws -> Any {
        try await self.send(.POST, path, body: body)
    }

    func put(_ path: String, _ body: [String: Any]) async throws -> Any {
        try await self.send(.PUT, path, body: body)
    }

    /// Streams a GET's body into `file`, calling `progress` with the bytes' newline count so far and the
    /// `x-goosey-records` total, if the answer gave one.
    func download(_ path: String, to file: FileHandle, progress: (Int, Int?) -> Void) async throws {
        var request = HTTPClientRequest(url: self.baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.headers.add(name: "authorization", value: "Bearer \(self.token)")
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .hours(6))
        } catch {
            throw StaffError("cannot reach the coordinator at \(self.baseURL) (\(error)); is it running, and is GOOSEY_URL right?")
        }
        guard response.status == .ok else {
            let data = Data((try await response.body.collect(upTo: 1 << 20)).readableBytesView)
            throw Self.failure(response.status, (try? JSONSerialization.jsonObject(with: data)) ?? [:])
        }
        let total = response.headers.first(name: "x-goosey-records").flatMap { Int($0) }
        var lines = 0
        for try await chunk in response.body {
            lines += chunk.readableBytesView.lazy.filter { $0 == 0x0A }.count
            try file.write(contentsOf: Data(chunk.readableBytesView))
            progress(lines, total)
        }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [String: Any]?) async throws -> Any {
        var request = HTTPClientRequest(url: self.baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(self.token)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .seconds(300))
        } catch {
            throw StaffError("cannot reach the coordinator at \(self.baseURL) (\(error)); is it running, and is GOOSEY_URL right?", answered: false)
        }
        let data = Data((try await response.body.collect(upTo: 256 << 20)).readableBytesView)
        let json = (try? JSONSerialization.jsonObject(with: data)) ?? [:]
        guard (200..<300).contains(Int(response.status.code)) else { throw Self.failure(response.status, json) }
        return json
    }

    private static func failure(_ status: HTTPResponseStatus, _ json: Any) -> StaffError {
        let error = (json as? [String: Any])?["error"] as? [String: Any]
        let message = error?["message"] as? String ?? "HTTP \(status.code)"
        let field = (error?["field"] as? String).map { " (field `\($0)`)" } ?? ""
        switch status {
        case .unauthorized: return StaffError("the coordinator rejected the admin token: check GOOSEY_TOKEN")
        case .forbidden: return StaffError("\(message): ask a Goosey admin for access")
        default: return StaffError(message + field)
        }
    }
}
