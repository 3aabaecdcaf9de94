"""Named secrets: model, naming rules, schemas, references."""
