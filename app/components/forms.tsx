import { Form, type FormProps, Link } from "@remix-run/react";
import { type ReactNode, useEffect, useState } from "react";
import { useRootData, useT } from "./i18n";

/** Hidden CSRF field: every state-changing form carries it (checked by readForm on the server). */
export function CsrfField() {
  const token = useRootData()?.csrfToken ?? "";
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A POST form with the CSRF token; works without JavaScript. */
export function PostForm({ children, ...props }: Omit<FormProps, "method"> & { children: ReactNode }) {
  return (
    <Form method="post" {...props}>
      <CsrfField />
      {children}
    </Form>
  );
}

/** A polite status line after a successful action ("Saved."); nothing when there is none. */
export function Notice({ text }: { text?: string | null }) {
  if (!text) return null;
  return (
    <p className="notice" role="status">
      {text}
    </p>
  );
}

export function ErrorSummary({ errors }: { errors?: Record<string, string> | null }) {
  const t = useT();
  if (!errors || Object.keys(errors).length === 0) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <p>{t("form.errorSummary")}</p>
      <ul>
        {Object.entries(errors).map(([field, message]) => (
          <li key={field}>
            <a href={`#field-${field}`}>{message}</a>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/help/problems#form-refused">{t("help.nextStepLink")}</Link>
      </p>
    </div>
  );
}

export function Field({
  id: givenId,
  name,
  label,
  type = "text",
  defaultValue,
  error,
  hint,
  required,
  autoComplete,
  dir,
  inputMode,
}: {
  /** Defaults to field-<name>; give one when a page shows several forms with the same field. */
  id?: string;
  name: string;
  label: string;
  type?: string;
  defaultValue?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  dir?: "ltr" | "rtl" | "auto";
  /** "numeric" for whole numbers: a text field, so Persian digits can be typed (type="number" drops them). */
  inputMode?: "numeric";
}) {
  const id = givenId ?? `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={defaultValue}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        autoComplete={autoComplete}
        dir={dir}
        inputMode={inputMode}
      />
    </div>
  );
}

/**
 * A key for a form that must come back empty after it succeeded (a comment box invites a double post
 * otherwise). Without JavaScript the page is rendered anew, empty; with it, React keeps what was typed
 * in an uncontrolled field, so the form is given a new key after every answer without errors.
 */
export function useClearedFormKey(result: { errors?: unknown } | undefined): number {
  const [key, setKey] = useState(0);
  useEffect(() => {
    if (result && !result.errors) setKey((k) => k + 1);
  }, [result]);
  return key;
}
