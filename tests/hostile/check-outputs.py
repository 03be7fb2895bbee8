#!/usr/bin/env python3
"""check-outputs.py OUT SAMPLE_INDEX - check a build made from hostile input.

Every text output must be UTF-8 without raw control characters (but tab
and line ends); the JSON files must parse; trusts.csv must parse as CSV
with one 13-field record per GeoJSON feature and no text cell a
spreadsheet would run as a formula; and no markup from the inputs may
reach the page: index.html and embed.html hold exactly as many <script
elements as the sample's page (SAMPLE_INDEX) and no <img at all, and the
JSON inside the page's <script> has no raw <, > or &.
Prints one line per fault; exit status 1 if there was any.
"""
import csv
import io
import json
import os
import re
import sys

TEXT = ('.json', '.geojson', '.csv', '.md', '.txt', '.html', '.js', '.css')
JSON = ('.json', '.geojson')
FORMULA = ('=', '+', '-', '@', '\t', '\r')
CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def main():
    out, sample_index = sys.argv[1], sys.argv[2]
    csv.field_size_limit(sys.maxsize)
    faults = []

    def fault(msg):
        faults.append(msg)

    texts = {}
    for folder, _, files in os.walk(out):
        for f in files:
            path = os.path.join(folder, f)
            rel = os.path.relpath(path, out)
            if not f.endswith(TEXT) or rel.startswith('vendor'):
                continue
            data = open(path, 'rb').read()
            try:
                text = data.decode('utf-8')
            except UnicodeDecodeError as e:
                fault(f'{rel}: not UTF-8 ({e})')
                continue
            texts[rel] = text
            m = CONTROL.search(text)
            if m:
                fault(f'{rel}: raw control character U+{ord(m.group()):04X}')
            if f.endswith(JSON):
                try:
                    json.loads(text)
                except ValueError as e:
                    fault(f'{rel}: not JSON ({e})')

    geo = json.loads(texts.get('trusts.geojson', '{"features": []}'))
    rows = list(csv.reader(io.StringIO(texts.get('trusts.csv', ''),
                                       newline='')))
    if not rows:
        fault('trusts.csv: missing or empty')
    else:
        header = rows[0]
        if len(rows) - 1 != len(geo['features']):
            fault(f'trusts.csv: {len(rows) - 1} rows for '
                  f'{len(geo["features"])} features')
        numbers = {'longitude', 'latitude'}
        for n, row in enumerate(rows[1:], 2):
            if len(row) != len(header):
                fault(f'trusts.csv:{n}: {len(row)} fields, '
                      f'expected {len(header)}')
                continue
            for col, cell in zip(header, row):
                if col not in numbers and cell.startswith(FORMULA):
                    fault(f'trusts.csv:{n}: {col} {cell[:20]!r} would '
                          f'run as a formula')

    sample = open(sample_index, encoding='utf-8').read()
    for page in ('index.html', 'embed.html'):
        text = texts.get(page)
        if text is None:
            fault(f'{page}: missing')
            continue
        if re.search(r'<img', text, re.I):
            fault(f'{page}: holds <img')
        if page == 'index.html':
            for tag in ('<script', '</script'):
                if text.lower().count(tag) != sample.lower().count(tag):
                    fault(f'{page}: {text.lower().count(tag)} {tag}, the '
                          f'sample page has {sample.lower().count(tag)}')
            for m in re.finditer(r'<script type="application/json"[^>]*>'
                                 r'(.*?)</script>', text, re.S):
                body = m.group(1)
                if re.search('[<>&]', body):
                    fault(f'{page}: raw <, > or & in the page\'s JSON')
                try:
                    json.loads(body)
                except ValueError as e:
                    fault(f'{page}: the page\'s JSON does not parse ({e})')

    for f in faults:
        print(f'check-outputs: {f}')
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
