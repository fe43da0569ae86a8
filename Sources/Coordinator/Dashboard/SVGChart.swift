import Foundation

/// Charts as inline SVG, drawn on the server: nothing to load, readable without JavaScript.
enum SVGChart {
    struct Series: Sendable {
        var name: String
        var colour: String
        /// One value per column.
        var values: [Int64]
    }

    /// Columns (days) of stacked bars, one colour per series, with a legend and a labelled scale.
    static func stackedBars(labels: [String], series: [Series], title: String, format: (Int64) -> String) -> HTML {
        let width = 720.0, height = 220.0, left = 56.0, bottom = 24.0, top = 8.0
        let totals = labels.indices.map { column in series.reduce(Int64(0)) { $0 + ($1.values.indices.contains(column) ? $1.values[column] : 0) } }
        let peak = Double(max(totals.max() ?? 0, 1))
        let slot = (width - left) / Double(max(labels.count, 1))
        let plotHeight = height - bottom - top
        var bars: [HTML] = []
        for column in labels.indices {
            var base = height - bottom
            for line in series where line.values.indices.contains(column) && line.values[column] > 0 {
                let barHeight = Double(line.values[column]) / peak * plotHeight
                base -= barHeight
                bars.append("""
                    <rect x="\(Self.number(left + Double(column) * slot + 1))" y="\(Self.number(base))" width="\(Self.number(max(slot - 2, 1)))" \
                    height="\(Self.number(barHeight))" fill="\(line.colour)"><title>\(labels[column]) \(line.name): \(format(line.values[column]))</title></rect>
                    """)
            }
        }
        let every = max(1, labels.count / 8)
        let ticks = labels.indices.filter { $0 % every == 0 }.map { column -> HTML in
            "<text x=\"\(Self.number(left + (Double(column) + 0.5) * slot))\" y=\"\(Self.number(height - 6))\" text-anchor=\"middle\">\(labels[column])</text>"
        }
        let legend = series.enumerated().map { index, line -> HTML in
            "<span class=\"key\"><i style=\"background:\(line.colour)\"></i>\(line.name)</span>"
        }
        return """
            <figure><svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(title)">\
            <text x="\(Self.number(left - 6))" y="\(Self.number(top + 10))" text-anchor="end">\(format(Int64(peak)))</text>\
            <text x="\(Self.number(left - 6))" y="\(Self.number(height - bottom))" text-anchor="end">0</text>\
            <line x1="\(Self.number(left))" y1="\(Self.number(height - bottom))" x2="\(Int(width))" y2="\(Self.number(height - bottom))" class="axis"/>\
            \(bars)\(ticks)</svg><figcaption>\(title) \(legend)</figcaption></figure>
            """
    }

    /// Lines from left to right, one per series, on a shared scale (a session's context, turn by turn).
    static func lines(series: [Series], title: String, format: (Int64) -> String) -> HTML {
        let width = 720.0, height = 200.0, left = 56.0, bottom = 20.0, top = 8.0
        let peak = Double(max(series.flatMap(\.values).max() ?? 0, 1))
        let longest = max(series.map(\.values.count).max() ?? 0, 2)
        let step = (width - left - 8) / Double(longest - 1)
        let plotHeight = height - bottom - top
        let paths = series.map { line -> HTML in
            let points = line.values.enumerated().map { turn, value in
                "\(Self.number(left + Double(turn) * step)),\(Self.number(height - bottom - Double(value) / peak * plotHeight))"
            }.joined(separator: " ")
            return "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2\"><title>\(line.name)</title></polyline>"
        }
        let legend = series.map { line -> HTML in "<span class=\"key\"><i style=\"background:\(line.colour)\"></i>\(line.name)</span>" }
        return """
            <figure><svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(title)">\
            <text x="\(Self.number(left - 6))" y="\(Self.number(top + 10))" text-anchor="end">\(format(Int64(peak)))</text>\
            <text x="\(Self.number(left - 6))" y="\(Self.number(height - bottom))" text-anchor="end">0</text>\
            <line x1="\(Self.number(left))" y1="\(Self.number(height - bottom))" x2="\(Int(width))" y2="\(Self.number(height - bottom))" class="axis"/>\
            <text x="\(Int(width) - 4)" y="\(Self.number(height - 4))" text-anchor="end">turn →</text>\
            \(paths)</svg><figcaption>\(title) \(legend)</figcaption></figure>
            """
    }

    /// A horizontal gauge: `part` of `whole`, red past the whole.
    static func meter(_ part: Int64, of whole: Int64) -> HTML {
        let fraction = whole > 0 ? min(Double(part) / Double(whole), 1) : 0
        let colour = whole > 0 && part >= whole ? "#c0392b" : (fraction >= 0.8 ? "#e67e22" : "#2e86c1")
        return """
            <svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="8" fill="#e5e8eb"/>\
            <rect width="\(Self.number(fraction * 100))" height="8" fill="\(colour)"/></svg>
            """
    }

    static let palette = ["#2e86c1", "#f5b041", "#a569bd", "#48c9b0", "#ec7063", "#5d6d7e", "#58d68d", "#dc7633"]

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
