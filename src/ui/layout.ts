// Where each part of the screen goes for a terminal size. 80x24 is the design size; a
// smaller terminal loses the details pane first, then the list's border, never the status
// and help lines.

export interface Rect {
  readonly top: number;
  readonly left: number;
  readonly width: number;
  readonly height: number;
}

export interface Layout {
  readonly header: Rect;
  /** The entry list; `bordered` when there is room for a frame. */
  readonly list: Rect & { readonly bordered: boolean };
  readonly details?: Rect;
  readonly log?: Rect;
  readonly status: Rect;
  readonly help: Rect;
}

/** Rows the details pane takes (frame included): five lines of text. */
export const DETAILS_HEIGHT = 7;
/** The list keeps at least this many rows (frame included) when the details pane is shown. */
const MIN_LIST_WITH_DETAILS = 7;

export function computeLayout(cols: number, rows: number, want: { details: boolean; log: boolean }): Layout {
  const width = Math.max(1, cols);
  const height = Math.max(3, rows);
  const middle = height - 3;
  let listHeight = middle;
  let details: Rect | undefined;
  let log: Rect | undefined;
  if (want.log && middle >= 3 + 5) {
    const h = Math.min(Math.floor(middle / 2), 14);
    listHeight = middle - h;
    log = { top: 1 + listHeight, left: 0, width, height: h };
  } else if (want.details && middle >= MIN_LIST_WITH_DETAILS + DETAILS_HEIGHT) {
    listHeight = middle - DETAILS_HEIGHT;
    details = { top: 1 + listHeight, left: 0, width, height: DETAILS_HEIGHT };
  }
  return {
    header: { top: 0, left: 0, width, height: 1 },
    list: { top: 1, left: 0, width, height: Math.max(0, listHeight), bordered: listHeight >= 3 && width >= 10 },
    ...(details ? { details } : {}),
    ...(log ? { log } : {}),
    status: { top: height - 2, left: 0, width, height: 1 },
    help: { top: height - 1, left: 0, width, height: 1 },
  };
}
