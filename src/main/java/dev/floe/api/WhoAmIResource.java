package dev.floe.api;

import dev.floe.workload.Caller;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** (extension) Who the service takes the caller for: a check that a key or token works. */
@Path("/api/v1/whoami")
@Tag(name = "admin")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class WhoAmIResource {
  private final CurrentRequest current;

  public WhoAmIResource(CurrentRequest current) {
    this.current = current;
  }

  @GET
  @Operation(operationId = "whoAmI", summary = "The caller as authenticated")
  @APIResponseSchema(AdminDtos.WhoAmI.class)
  public AdminDtos.WhoAmI whoAmI() {
    Caller caller = current.caller();
    return new AdminDtos.WhoAmI(
        true,
        caller.principal(),
        new TreeSet<>(caller.groups()),
        caller.admin(),
        caller.credential());
  }
}
