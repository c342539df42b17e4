/**
 * A small element builder. The page's CSP forbids inline styles and handlers, so nothing here
 * writes `style` or `on…` attributes: styles go through the CSSOM (`element.style.setProperty`),
 * which the CSP allows, and handlers through addEventListener.
 */
type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | null | false;

/** `h('button', { class: 'x', 'data-id': 3 }, 'text')`; `true` writes an empty attribute, `false`/`undefined` none. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) {
      continue;
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) {
      element.setAttribute(name, String(value));
    }
  }
  return element;
}
