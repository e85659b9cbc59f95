// Three-way merge of two versions of a diary day against the version both started from.
export {};
