import Foundation
import NIOCore
import Shared

/// One spooled request: the record's JSON object with two more members, `request` (the body, a JSON
/// value written verbatim, so the coordinator can store it byte for byte; `requestText`, a string, when
/// the body holds line breaks) and `response` (the answer as relayed, as a JSON string). Readers of the
/// record alone simply ignore them.
enum SpoolLine {
    static func encode(_ record: RequestRecord, requestBody: ByteBuffer?, response: ByteBuffer?, encoder: JSONEncoder) throws -> Data {
        var line = try encoder.encode(record)
        guard requestBody != nil || response != nil, line.last == UInt8(ascii: "}") else { return line }
        line.removeLast()
        line.reserveCapacity(line.count + (requestBody?.readableBytes ?? 0) + (response?.readableBytes ?? 0) * 11 / 10 + 64)
        if let requestBody, requestBody.readableBytes > 0 {
            let bytes = requestBody.readableBytesView
            if Self.holdsLineBreak(requestBody) {
                // Line breaks between JSON tokens (a pretty-printed body) would split the line: such a body
                // goes as a string, `requestText`, which gives back the same bytes.
                line.append(contentsOf: Array(#","requestText":"#.utf8))
                line.append(try encoder.encode(String(decoding: bytes, as: UTF8.self)))
            } else {
                line.append(contentsOf: Array(#","request":"#.utf8))
                line.append(contentsOf: bytes)
            }
        }
        if let response {
            line.append(contentsOf: Array(#","response":"#.utf8))
            line.append(try encoder.encode(String(decoding: response.readableBytesView, as: UTF8.self)))
        }
        line.append(UInt8(ascii: "}"))
        return line
    }

    /// Whether `body` holds a CR or LF, with memchr: bodies run to megabytes.
    static func holdsLineBreak(_ body: ByteBuffer) -> Bool {
        body.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0x0A, bytes.count) != nil || memchr(base, 0x0D, bytes.count) != nil
        }
    }
}
