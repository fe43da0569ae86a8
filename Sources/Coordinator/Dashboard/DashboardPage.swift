import HTTPTypes
import Hummingbird
import NIOCore

/// The frame every dashboard page shares, and the headers that keep it private: not cached, not framed,
/// no scripts, no outside resources.
enum DashboardPage {
    static func response(title: String, signedIn: DashboardSession?, status: HTTPResponse.Status = .ok, _ content: HTML) -> Response {
        let signOut: HTML = signedIn.map { session in
            """
            <form method="post" action="/dashboard/logout" class="signout"><input type="hidden" name="csrf" value="\(session.csrfToken)">\
            <span>\(session.principal.name) (\(session.principal.role == .admin ? "university admin" : "course staff"))</span> \
            <button type="submit">Sign out</button></form>
            """
        } ?? ""
        let page: HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Goosey</title><style>\(HTML(stringLiteral: Self.style))</style></head>
            <body><header><a href="/dashboard" class="brand">Goosey</a>\(signOut)</header><main>
            \(content)
            </main></body></html>
            """
        return Self.html(page, status: status)
    }

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.description)))
    }

    static func redirect(to location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#1c2833;background:#f8f9f9}
        header{display:flex;justify-content:space-between;align-items:center;padding:10px 24px;background:#1c2833;color:#fff}
        header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:18px}
        .signout{display:flex;gap:10px;align-items:center;margin:0}
        main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
        h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px}.sub{color:#566573;margin:0 0 12px}
        .cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #d5d8dc;border-radius:6px;padding:10px 14px;min-width:150px}
        .card b{display:block;font-size:20px}.card span{color:#566573;font-size:12px}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d5d8dc}
        th,td{padding:5px 8px;border-bottom:1px solid #eaeded;text-align:left;white-space:nowrap}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th a{color:inherit}
        tr.over td{background:#fdedec}tr.near td{background:#fef5e7}
        figure{margin:8px 0;background:#fff;border:1px solid #d5d8dc;border-radius:6px;padding:8px}
        svg{width:100%;height:auto;font-size:11px;fill:#566573}.axis{stroke:#aab7b8}
        figcaption{font-size:12px;color:#566573}.key{margin-left:12px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}
        svg.meter{width:90px;height:8px;vertical-align:middle}
        .state-suspended,.state-revoked{color:#c0392b;font-weight:600}.empty{color:#808b96}
        pre{background:#fff;border:1px solid #d5d8dc;padding:10px;overflow:auto;max-height:480px;white-space:pre-wrap;word-break:break-all}
        form.login{background:#fff;border:1px solid #d5d8dc;border-radius:6px;padding:20px;max-width:420px}
        input[type=password]{width:100%;padding:6px;margin:8px 0;box-sizing:border-box}.error{color:#c0392b}
        """
}
