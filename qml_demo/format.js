// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

.pragma library

// Text helpers shared by the panel's components.

// The MCP endpoint of the server at a ws(s):// or http(s):// URL: same host and port, http(s), /mcp.
// Empty for anything else.
function mcpUrl(url) {
    const match = /^(?:ws|http)(s?):\/\/([^\/?#]+)/i.exec(url.trim());
    return match ? "http" + match[1].toLowerCase() + "://" + match[2] + "/mcp" : "";
}

function elapsed(ms) {
    if (ms < 1000)
        return ms + " ms";
    if (ms < 60000)
        return (ms / 1000).toFixed(1) + " s";
    const minutes = Math.floor(ms / 60000);
    const seconds = Math.floor((ms % 60000) / 1000);
    return minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
}

function duration(ms) {
    if (ms % 60000 === 0 && ms >= 60000)
        return (ms / 60000) + " min";
    if (ms % 1000 === 0)
        return (ms / 1000) + " s";
    return ms + " ms";
}

function compactJson(value, maxLength) {
    let text = JSON.stringify(value === undefined ? null : value);
    if (maxLength > 0 && text.length > maxLength)
        text = text.substring(0, maxLength - 1) + "…";
    return text;
}

function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Pretty JSON as rich text: keys, strings, numbers and literals coloured. Past maxHighlighted
// characters it gives null (show plain text), so a huge result cannot stall the GUI thread.
const maxHighlighted = 20000;

function prettyJson(value) {
    return JSON.stringify(value === undefined ? null : value, null, 2);
}

function highlightJson(text, colors) {
    if (text.length > maxHighlighted)
        return null;
    const token = /("(?:\\u[0-9a-fA-F]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+\-]?\d+)?)/g;
    let html = "";
    let last = 0;
    let match;
    while ((match = token.exec(text)) !== null) {
        html += escapeHtml(text.substring(last, match.index));
        let color = colors.number;
        if (match[1] !== undefined)
            color = match[2] !== undefined ? colors.key : colors.string;
        else if (match[3] !== undefined)
            color = colors.literal;
        const body = match[1] !== undefined ? match[1] : match[0];
        html += "<span style=\"color:" + color + "\">" + escapeHtml(body) + "</span>";
        if (match[2] !== undefined)
            html += escapeHtml(match[2]);
        last = token.lastIndex;
    }
    html += escapeHtml(text.substring(last));
    return html;
}
