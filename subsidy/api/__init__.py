"""The REST API (`/api/v1/`): thin views over the same services, selectors and
permission rules as the web pages. DomainErrors become HTTP codes in `errors`."""
