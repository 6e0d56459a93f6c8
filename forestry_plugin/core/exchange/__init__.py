"""Submission packages for the platforms counties upload to: zipped Shapefiles (optionally a File Geodatabase) with
fixed field lists and code tables, described by JSON templates in resources/templates (see docs/exchange.md).

`template` loads and validates templates; `package` exports a package from a working copy and maps a returned
package back onto the patches. No GUI imports.
"""
