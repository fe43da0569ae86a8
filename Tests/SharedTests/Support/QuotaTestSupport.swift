import Foundation

/// An instant from local wall time with its offset, `2024-10-06 03:00+11`, `2024-10-06 03:00:30+10:30` or
/// RFC 3339 (`2024-10-06T03:00:00+11:00`): tests state wall times and offsets explicitly; the spec must agree.
func instant(_ text: String) -> Date {
    var wall = text.replacingOccurrences(of: " ", with: "T")
    var zone = ""
    if wall.hasSuffix("Z") {
        zone = "Z"
        wall.removeLast()
    } else if let sign = wall.lastIndex(where: { $0 == "+" || $0 == "-" }),
        wall.distance(from: wall.startIndex, to: sign) > 10
    {
        zone = String(wall[sign...])
        wall = String(wall[..<sign])
        if !zone.contains(":") { zone += ":00" }
    }
    if wall.count == 16 { wall += ":00" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: wall + zone) else { fatalError("not a wall time with an offset: \(text)") }
    return date
}
